import { connect } from "node:net";
import { type DeliveryStore, type Logger, resolveEndpoints } from "@hookline/core";
import { until } from "@hookline/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN } from "../__fixtures__/api-env.js";
import { cli } from "../__fixtures__/cli-harness.js";
import { configDir, jsonConfig } from "../__fixtures__/config-dir.js";
import { tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { type AdminServer, createAdminServer } from "../index.js";
import { checkResolvedLoopback, isLoopbackAddress } from "./loopback.js";

/** Everything the server logged, by level. */
function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) =>
    void lines.push({ level, msg, fields });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

/** Send raw bytes on a fresh socket; resolves with all the server wrote once it closes. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let got = "";
    socket.on("data", (b) => (got += b.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(got));
  });
}

let store: DeliveryStore;
let server: AdminServer;
let url: string;
const log = recordingLogger();
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  const db = await tempSqliteStore();
  store = db.store;
  // One configured endpoint, so a reason that passed validation would really disable it.
  const endpoints = resolveEndpoints(
    [{ id: "crm", url: "http://127.0.0.1:9/crm", events: ["add_credits"], signing: false }],
    { knownCodes: ["add_credits"] },
  );
  server = createAdminServer({ store, endpoints, token: TOKEN, port: 0, logger: log.logger });
  url = await server.listen();
  cleanups.push(
    () => server.close(),
    () => db.cleanup(),
  );
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("HEAD", () => {
  const head = (path: string, token = true) =>
    rawExchange(
      url,
      `HEAD ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${token ? `authorization: Bearer ${TOKEN}\r\n` : ""}connection: close\r\n\r\n`,
    );

  it.each(["/api", "/api/deliveries?limit=5", "/api/stats", "/"])(
    "on %s answers as GET, without a body",
    async (path) => {
      const get = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(get.status).toBe(200);
      const raw = await head(path);
      const [head_, body] = raw.split("\r\n\r\n");
      expect(head_).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head_!.toLowerCase()).toContain(`content-type: ${get.headers.get("content-type")}`);
      expect(head_!.toLowerCase()).toContain("cache-control: no-store");
      expect(body).toBe("");
    },
  );

  it("needs the token like GET, and a POST-only route still says 405 with its methods", async () => {
    expect(await head("/api/deliveries", false)).toMatch(/^HTTP\/1\.1 401 /);
    const res = await fetch(`${url}/api/replay`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    const get = await fetch(`${url}/api/deliveries`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(get.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("disable reasons", () => {
  it.each([
    ["ESC[31m", "\u001b[31mred"],
    ["BEL", "ring\u0007"],
    ["CR", "ok\rforged"],
    ["OSC 0", "\u001b]0;title\u0007"],
    ["OSC 52", "\u001b]52;c;ZXZpbA==\u0007"],
    ["C1 CSI", "\u009b2J"],
    ["LF", "two\nlines"],
  ])("with %s are refused with a 400 and change nothing", async (_name, reason) => {
    const res = await fetch(`${url}/api/endpoints/crm/disable`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: `migration ${reason}` }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("HOOKLINE_INVALID_OPTION");
    expect(body.error.message).toMatch(
      /^body\.reason: expected a reason of 1 to 500 characters without control characters/,
    );
    expect(await store.getEndpointStates()).toEqual([]);
  });
});

describe("a client that hangs up mid-body", () => {
  it("is logged as a client abort, not as a server error", async () => {
    log.lines.length = 0;
    const partial = '{"status":["fai';
    const { hostname, port } = new URL(url);
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), hostname, () => {
        s.write(
          `POST /api/endpoints/crm/disable HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\n` +
            `content-type: application/json\r\ncontent-length: 200\r\n\r\n${partial}`,
          () => setTimeout(() => s.destroy(), 50),
        );
      });
      s.on("close", () => resolve());
    });
    await until(() => log.lines.length >= 1, { timeoutMs: 3_000, what: "a log line" });
    await new Promise((r) => setTimeout(r, 100));
    expect(log.lines.filter((l) => l.level === "error")).toEqual([]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "admin API client aborted its request",
        fields: expect.objectContaining({ method: "POST", path: "/api/endpoints/crm/disable" }),
      }),
    );
    expect(JSON.stringify(log.lines)).not.toMatch(/"status":5\d\d/);
  });
});

describe("auth off needs a loopback host", () => {
  it.each([
    "127.evil.invalid",
    "127.0.0.1.nip.io",
    "localhost.evil.invalid",
    "0.0.0.0",
    "128.0.0.1",
    "::",
    "::2",
  ])("refuses %s", (host) => {
    expect(() => createAdminServer({ store, host, auth: false })).toThrow(
      new RegExp(
        `auth: expected true \\(a token\\) when host "${host.replace(/\./g, "\\.")}" is not a loopback address`,
      ),
    );
  });

  it.each(["127.0.0.1", "127.0.0.2", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LOCALHOST"])(
    "accepts %s",
    (host) => {
      expect(() => createAdminServer({ store, host, auth: false })).not.toThrow();
    },
  );

  it("serves on 127.0.0.2 and on localhost, whose every address is loopback", async () => {
    for (const host of ["127.0.0.2", "localhost"]) {
      const s = createAdminServer({ store, host, port: 0, auth: false });
      const base = await s.listen();
      expect(isLoopbackAddress(new URL(base).hostname.replace(/^\[|\]$/g, ""))).toBe(true);
      await s.close();
    }
  });

  it("refuses a name when any address it resolves to is not loopback", async () => {
    const resolver = (addresses: string[]) => async () => addresses.map((address) => ({ address }));
    await expect(checkResolvedLoopback("localhost", resolver(["127.0.0.1", "::1"]))).resolves.toBeUndefined();
    await expect(checkResolvedLoopback("localhost", resolver(["127.0.0.1", "10.0.0.5"]))).rejects.toThrow(
      /host "localhost" resolves to an address that is not loopback \(10\.0\.0\.5\)/,
    );
    await expect(checkResolvedLoopback("localhost", resolver([]))).rejects.toThrow(/not loopback \(none\)/);
  });

  it("hookline serve --no-auth refuses a name that only starts like loopback, before any lookup", async () => {
    const db = await tempSqliteStore();
    const cfg = configDir({ "hookline.config.json": jsonConfig([]) });
    try {
      const r = await cli(["serve", "--host", "127.evil.invalid", "--no-auth", "--port", "0"], {
        cwd: cfg.dir,
        env: { HL_DB: db.file },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /auth: expected true \(a token\) when host "127\.evil\.invalid" is not a loopback address/,
      );
      expect(r.stdout).not.toMatch(/listening/);
    } finally {
      cfg.cleanup();
      await db.cleanup();
    }
  });
});
