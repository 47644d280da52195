import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { consoleLogger, type Logger } from "../util/logger.js";
import { errorMessageOf, shopHooks } from "./helpers.js";

const order = { orderId: "o-1", total: 10 };

/** A real pino logger writing to memory; `lines()` parses every JSON line written so far. */
function capturedPino() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const logger = pino({ level: "debug" }, stream);
  const lines = () =>
    text
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

/** A logger whose methods rely on `this`, like pino's: a detached call would throw. */
class RecordingLogger implements Logger {
  readonly lines: { level: string; fields: unknown; msg: unknown }[] = [];
  debug(fields: Record<string, unknown>, msg: string) {
    this.lines.push({ level: "debug", fields, msg });
  }
  info(fields: Record<string, unknown>, msg: string) {
    this.lines.push({ level: "info", fields, msg });
  }
  warn(fields: Record<string, unknown>, msg: string) {
    this.lines.push({ level: "warn", fields, msg });
  }
  error(fields: Record<string, unknown>, msg: string) {
    this.lines.push({ level: "error", fields, msg });
  }
}

// pino's numeric levels.
const INFO = 30;
const WARN = 40;
const ERROR = 50;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

function started(extra: Parameters<typeof shopHooks>[0]) {
  const shop = shopHooks(extra);
  stops.push(() => shop.hooks.stop());
  return shop;
}

describe("a pino logger passed as it is", () => {
  it("gets the worker's start at info, with the worker id as a field", async () => {
    const { logger, lines } = capturedPino();
    const { hooks } = started({ logger, worker: { workerId: "w-logs" } });
    await hooks.start();
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: INFO, msg: "worker started", workerId: "w-logs" }),
    );
  });

  it("gets a store failure at warn, with the failure count and back-off as fields", async () => {
    const { logger, lines } = capturedPino();
    const { hooks, ctl } = started({ logger, worker: { backoffMinMs: 5_000 } });
    ctl.failClaims = 1;
    await hooks.start();
    await vi.waitFor(() =>
      expect(lines()).toContainEqual(
        expect.objectContaining({
          level: WARN,
          msg: "store unavailable, backing off",
          failures: 1,
          delayMs: expect.any(Number),
        }),
      ),
    );
  });

  it("gets a throwing listener at error, with the thrown error as a field", async () => {
    const { logger, lines } = capturedPino();
    const { hooks } = started({ logger, worker: { enabled: false } });
    hooks.on("event.accepted", () => {
      throw new Error("listener bug");
    });
    await hooks.start();
    await hooks.emit("order_placed", order);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: ERROR,
        msg: 'a "event.accepted" listener threw',
        error: "Error: listener bug",
      }),
    );
  });
});

describe("any logger whose methods take (fields, message)", () => {
  it("receives the fields object first and the message second, called as methods", async () => {
    const logger = new RecordingLogger();
    const { hooks, ctl } = started({ logger, worker: { workerId: "w-plain", backoffMinMs: 5_000 } });
    hooks.on("event.accepted", () => {
      throw new Error("listener bug");
    });
    ctl.failClaims = 1;
    await hooks.start();
    await hooks.emit("order_placed", order);
    await vi.waitFor(() => expect(logger.lines.map((l) => l.level)).toContain("warn"));
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        { level: "info", fields: { workerId: "w-plain" }, msg: "worker started" },
        {
          level: "warn",
          fields: { failures: 1, delayMs: expect.any(Number) },
          msg: "store unavailable, backing off",
        },
        {
          level: "error",
          fields: { error: "Error: listener bug" },
          msg: 'a "event.accepted" listener threw',
        },
      ]),
    );
  });
});

describe("consoleLogger", () => {
  it("writes [hookline] <level> <message> <fields as JSON>", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      consoleLogger().warn({ endpointId: "a" }, "endpoint disabled");
      expect(warn).toHaveBeenCalledWith('[hookline] warn endpoint disabled {"endpointId":"a"}');
    } finally {
      warn.mockRestore();
    }
  });
});

describe("the logger option is validated at construction", () => {
  it.each([
    ["a string", "console", 'got "console"'],
    ["null", null, "got null"],
    ["an object missing levels", { info() {}, error() {} }, "got an object (Object) without debug(), warn()"],
    ["a level that is not a function", { debug() {}, info() {}, warn: true, error() {} }, "without warn()"],
  ])("refuses %s, saying what it expected and what it got", (_name, logger, got) => {
    const message = errorMessageOf(() => shopHooks({ logger: logger as never }), "HOOKLINE_INVALID_OPTION");
    expect(message).toContain(
      "logger: expected a logger with debug, info, warn and error methods taking (fields, message), such as pino",
    );
    expect(message).toContain(got);
  });

  it("takes pino despite its many other keys (no strict-keys check on the logger)", () => {
    expect(() => shopHooks({ logger: pino({ enabled: false }) })).not.toThrow();
  });
});
