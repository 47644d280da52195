import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { Agent, buildConnector } from "./undici-parts.js";

const run = promisify(execFile);
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** The files of undici a fresh Node process has loaded after importing the built transport. */
async function undiciFilesLoaded(): Promise<string[]> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npm run build)`);
  const script = `
    import { createRequire } from "node:module";
    const { httpTransport } = await import(${JSON.stringify(pathToFileURL(DIST).href)});
    await httpTransport({}).close();
    const marker = "node_modules/undici/";
    const files = Object.keys(createRequire(${JSON.stringify(DIST)}).cache)
      .filter((k) => k.includes(marker))
      .map((k) => k.slice(k.lastIndexOf(marker) + marker.length));
    console.log(JSON.stringify(files));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
  return JSON.parse(stdout) as string[];
}

describe("undici's parts, loaded by path", () => {
  it("are the very Agent and buildConnector undici's entry point exports", () => {
    expect(Agent).toBe(undici.Agent);
    expect(buildConnector).toBe(undici.buildConnector);
  });

  it("build a working Agent (a Dispatcher) and connector", async () => {
    const agent = new Agent({ connect: buildConnector({ timeout: 1_000 }) });
    expect(agent).toBeInstanceOf(undici.Dispatcher);
    expect(typeof buildConnector({})).toBe("function");
    await agent.close();
  });

  it("leave undici's entry point unloaded in a process that only imports the transport", async () => {
    const files = await undiciFilesLoaded();
    expect(files).toContain("lib/dispatcher/agent.js");
    expect(files).toContain("lib/core/connect.js");
    expect(files).not.toContain("index.js");
    expect(files.some((f) => f.startsWith("lib/web/fetch/"))).toBe(false);
  });
});
