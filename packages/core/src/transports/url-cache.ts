/** Endpoints are few and their URLs fixed; the bound only guards against misuse. */
const DEFAULT_MAX_ENTRIES = 1024;

/**
 * Keeps what a transport derived from each endpoint URL (a parse, an SSRF verdict), so a send
 * does not parse the same URL again. When full it starts over rather than tracking recency.
 */
export class UrlCache<T> {
  readonly #parse: (url: string) => T;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, T>();

  /** @param maxEntries URLs kept before the cache is cleared. @default 1024 */
  constructor(parse: (url: string) => T, maxEntries = DEFAULT_MAX_ENTRIES) {
    this.#parse = parse;
    this.#maxEntries = maxEntries;
  }

  /** The kept result for `url`, parsing it the first time. */
  get(url: string): T {
    let entry = this.#entries.get(url);
    if (entry === undefined) {
      entry = this.#parse(url);
      if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
      this.#entries.set(url, entry);
    }
    return entry;
  }
}
