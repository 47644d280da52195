import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { configDir } from "../__fixtures__/config-dir.js";

// The real `hookline` process, through the package's bin and the BUILT code (npm test builds
// first), so what drivers print on their own reaches the same stdout and stderr a user sees.
const BIN = fileURLToPath(new URL("../../bin/hookline.js", import.meta.url));

function hookline(
  argv: readonly string[],
  cwd: string,
  bin = BIN,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...argv], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const unreachable = (client: string, url: string) =>
  JSON.stringify({
    endpoints: [],
    store: {
      module: "@hookline/store-knex",
      export: "knexStore",
      // Port 1 on loopback: nothing listens, the connection is refused at once.
      options: { knex: { client, connection: url, pool: { min: 0, max: 1 } } },
    },
  });

describe("the hookline process", () => {
  const cfg = configDir({
    "mysql.json": unreachable("mysql2", "mysql://root@127.0.0.1:1/test"),
    "pg.json": unreachable("pg", "postgres://root@127.0.0.1:1/test"),
  });
  afterAll(() => cfg.cleanup());

  it("is built", () => {
    expect(existsSync(new URL("../../dist/cli/bin.js", import.meta.url)), "run npm run build first").toBe(
      true,
    );
  });

  it.each(["mysql.json", "pg.json"])(
    "an unreachable store (%s) is one line on stderr and exit code 1; the stack only with --debug",
    async (file) => {
      for (const argv of [
        ["deliveries", "list"],
        ["stats", "--json"],
      ]) {
        const r = await hookline(["--config", file, ...argv], cfg.dir);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(
          /^error: HOOKLINE_STORE_ERROR: .*\(connect ECONNREFUSED 127\.0\.0\.1:1\)\n$/,
        );
      }
      const debug = await hookline(["--config", file, "--debug", "deliveries", "list"], cfg.dir);
      expect(debug.code).toBe(1);
      expect(debug.stdout).toBe("");
      expect(debug.stderr).toMatch(/^error: HOOKLINE_STORE_ERROR: /m);
      // What the driver printed on its own, on stderr now instead of nowhere.
      expect(debug.stderr).toMatch(/Acquire connection error/);
      expect(debug.stderr).toMatch(/\n {4}at .*\n/);
      expect(debug.stderr).toMatch(/caused by: Error: connect ECONNREFUSED 127\.0\.0\.1:1/);
    },
  );

  it("the bin says to build when dist is missing, and fetches nothing", async () => {
    const pkg = mkdtempSync(join(tmpdir(), "hookline-unbuilt-"));
    mkdirSync(join(pkg, "bin"));
    copyFileSync(BIN, join(pkg, "bin", "hookline.js"));
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@hookline/admin", type: "module" }));
    const r = await hookline(["--help"], pkg, join(pkg, "bin", "hookline.js"));
    rmSync(pkg, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "hookline: @hookline/admin is not built (dist/cli/bin.js is missing): run npm run build\n",
    );
  });
});
