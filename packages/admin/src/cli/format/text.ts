/** Short UTC timestamp for tables: 2026-11-28 16:24:28Z. */
export function fmtTime(d: Date | null | undefined): string {
  return d ? `${d.toISOString().slice(0, 19).replace("T", " ")}Z` : "-";
}

export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${Math.round(ms)} ms`;
}

export function fmtRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? "-" : `${(rate * 100).toFixed(1)} %`;
}

/** First `max` characters on one line, with an ellipsis when cut. */
export function clip(text: string | null | undefined, max: number): string {
  if (!text) return "";
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** "1 delivery", "3 deliveries". */
export function deliveries(n: number): string {
  return `${n} ${n === 1 ? "delivery" : "deliveries"}`;
}
