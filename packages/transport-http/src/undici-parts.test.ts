import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { Agent, buildConnector } from "./undici-parts.js";

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
});
