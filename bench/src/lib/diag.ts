/**
 * A diagnostic: a measurement `npm run bench` does not run, behind a figure or table that
 * docs/performance.md reports. `npm run bench:diag -- <name> [flags]` runs it.
 */
export interface Diag {
  readonly name: string;
  /** One line for the list `npm run bench:diag -- --help` prints. */
  readonly summary: string;
  /** Its flags, printed by `--help` and after a bad one. */
  readonly usage: string;
  /** Parse `argv` (the words after the name) and run; a bad flag throws UsageError. */
  run(argv: readonly string[]): Promise<void>;
}
