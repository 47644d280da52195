/** Group `items` by `keyOf`, in first-seen order; each group keeps the items' order. */
export function groupBy<T, V = T>(
  items: Iterable<T>,
  keyOf: (item: T) => string,
  pick: (item: T) => V = (item) => item as unknown as V,
): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(pick(item));
    else groups.set(key, [pick(item)]);
  }
  return groups;
}
