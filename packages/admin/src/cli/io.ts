/** A writable the CLI prints to (process.stdout, or a buffer in tests). */
export interface CliStream {
  write(chunk: string): unknown;
  /** Terminal width when known; tables and the progress bar fit into it. */
  readonly columns?: number;
}

/** Everything the CLI touches outside itself, so runCli runs in-process in tests. */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Source of NO_COLOR, HOOKLINE_ADMIN_TOKEN and `${ENV}` values in the config. */
  readonly env: NodeJS.ProcessEnv;
  /** Directory searched for hookline.config.*; `--config` is relative to it. */
  readonly cwd: string;
  /** Colours and the progress bar only appear on a terminal. */
  readonly isTTY: boolean;
  /** Ends long-running commands (`serve`); the bin wires SIGINT and SIGTERM to it. */
  readonly signal?: AbortSignal;
  /** Time source for relative times such as `--since 24h`. @default () => new Date() */
  readonly now?: () => Date;
}
