import cliProgress from "cli-progress";
import type { CliIo } from "../io.js";

/** A progress display for long work; silent unless stderr is a terminal. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

export function startProgress(io: CliIo, total: number, label: string): Progress {
  if (!io.isTTY || total === 0) return { update: () => {}, stop: () => {} };
  // cli-progress drives the cursor through readline, which needs only write(), isTTY and columns.
  const stream = {
    isTTY: true,
    columns: io.stderr.columns ?? 80,
    write: (s: string) => io.stderr.write(s),
  } as unknown as NodeJS.WriteStream;
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta}s`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
