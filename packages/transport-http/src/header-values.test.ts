import {
  createHookline,
  defineEvent,
  definePlugin,
  isHooklineError,
  memoryStore,
  resolveEndpoints,
} from "@hookline/core";
import { startHttpReceiver, TEST_SECRET, type TestReceiver } from "@hookline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOOPBACK_ALLOW, makeRequest, noAbort } from "./__fixtures__/requests.js";
import { httpTransport } from "./http-transport.js";

const anything = {
  "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) },
} as const;
const ping = defineEvent({ code: "ping", description: "A ping.", schema: anything });
const plugin = () => definePlugin({ name: "pings", events: [ping] as const });

let rx: TestReceiver;
const transport = httpTransport({ ssrf: LOOPBACK_ALLOW });

beforeAll(async () => {
  rx = await startHttpReceiver();
});
afterAll(async () => {
  await transport.close?.();
  await rx.close();
});

describe("endpoint header values over a real loopback receiver", () => {
  it("delivers a value with a tab and Latin-1 characters unchanged", async () => {
    const value = "café\tcrème ÿ";
    const hooks = createHookline({
      plugins: [plugin()],
      endpoints: [
        {
          id: "latin1",
          url: rx.url("/latin1"),
          events: "*",
          secret: TEST_SECRET,
          headers: { "x-label": value },
        },
      ],
      store: memoryStore(),
      // Its own transport: stop() closes it.
      transport: httpTransport({ ssrf: LOOPBACK_ALLOW }),
      worker: { enabled: false },
    });
    await hooks.start();
    try {
      const r = await hooks.emit("ping", { n: 1 }, { wait: "attempted" });
      expect(r.attempts?.map((a) => a.outcome.kind)).toEqual(["success"]);
      const [seen] = await rx.waitFor(1, { path: "/latin1" });
      // Node reads header bytes as Latin-1, so equality means each character went out as one byte.
      expect(seen?.headers["x-label"]).toBe(value);
    } finally {
      await hooks.stop();
    }
  });

  it.each([
    ["ESC", "\x1b"],
    ["DEL", "\x7f"],
    ["U+2028", "\u2028"],
    ["a character outside Latin-1", "€"],
  ])("%s: undici refuses it on every attempt, so construction refuses it first", async (_name, char) => {
    // Past construction (as before the check) every attempt would end `permanent`.
    const outcome = await transport.send(
      makeRequest(rx.url("/never"), {
        headers: { ...makeRequest("").headers, "x-label": `a${char}b` },
      }),
      noAbort(),
    );
    expect(outcome).toMatchObject({
      kind: "permanent",
      error: { message: expect.stringContaining("UND_ERR_INVALID_ARG") },
    });
    let error: unknown;
    try {
      resolveEndpoints(
        [
          {
            id: "bad",
            url: rx.url("/bad"),
            events: "*",
            secret: TEST_SECRET,
            headers: { "x-label": `a${char}b` },
          },
        ],
        { knownCodes: ["ping"], env: {} },
      );
    } catch (e) {
      error = e;
    }
    expect(isHooklineError(error, "HOOKLINE_INVALID_CONFIG")).toBe(true);
    expect((error as Error).message).toContain('endpoint "bad" headers["x-label"]');
    expect(rx.requests.filter((r) => r.path === "/never" || r.path === "/bad")).toEqual([]);
  });
});
