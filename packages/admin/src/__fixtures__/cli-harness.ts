import { type CliIo, runCli } from "../index.js";

/** Run the CLI in-process and capture what it printed. */
export async function cli(
  argv: readonly string[],
  io: Partial<CliIo> & { cwd: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env: {},
    isTTY: false,
    ...io,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}
