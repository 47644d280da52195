import { request } from "node:http";
import { HooklineError, memoryStore } from "@hookline/core";
import { afterEach, describe, expect, it } from "vitest";
import { TOKEN, useApiEnv } from "../__fixtures__/api-env.js";
import { type AdminServer, adminApi, createAdminServer } from "../index.js";

const env = useApiEnv(1);
const servers: AdminServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("bearer token", () => {
  it("every API route needs it", async () => {
    const none = await env().call("/api/deliveries", { headers: { authorization: "" } });
    expect(none).toMatchObject({
      status: 401,
      body: {
        error: {
          code: "HOOKLINE_UNAUTHORIZED",
          message: "authorization: expected a header 'Bearer <admin token>', got none",
        },
      },
    });
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="hookline-admin"');
    const wrong = await env().call("/api/replay", {
      headers: { authorization: `Bearer ${TOKEN}x` },
      json: { all: true },
    });
    expect(wrong.status).toBe(401);
    expect((await env().call("/api", { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    for (const path of ["/api", "/api/events", "/api/stats", "/api/timeline", "/api/endpoints"]) {
      expect((await env().call(path, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    }
  });

  it("the dashboard's static files are public, hold no data and load nothing from elsewhere", async () => {
    const page = await fetch(`${env().url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'; script-src 'self'");
    const files = [await page.text()];
    const assets = ["/assets/dashboard.js", "/assets/dashboard.css"];
    for (const asset of assets) {
      const r = await fetch(env().url + asset);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      const text = await r.text();
      files.push(text);
      // The entry script is an ES module: follow its imports to every module the page loads.
      for (const [, name] of text.matchAll(/from "\.\/([\w-]+\.js)"/g))
        if (!assets.includes(`/assets/${name}`)) assets.push(`/assets/${name}`);
    }
    expect(assets.length).toBeGreaterThan(2);
    const urls = files.join("\n").match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"')]*/gi) ?? [];
    expect(urls.filter((u) => !u.startsWith("http://www.w3.org/2000/svg"))).toEqual([]);
    expect(files.join("")).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it("unknown routes are 404, wrong methods 405", async () => {
    expect((await env().call("/api/nope")).body.error).toEqual({
      code: "HOOKLINE_NOT_FOUND",
      message: "GET /api/nope: expected a known route (see /api)",
    });
    const post = await env().call("/api/stats", { json: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("a foreign Origin cannot post", async () => {
    const r = await env().call("/api/replay", {
      headers: { origin: "https://evil.example" },
      json: { all: true, dryRun: true },
    });
    expect(r.status).toBe(403);
  });
});

describe("failures", () => {
  it("a store error is a 503; anything unexpected a 500 without internals, logged for the operator", async () => {
    const logged: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error: (f: Record<string, unknown>, m: string) => logged.push([m, f]),
    };
    // The real store, with two methods failing the way a driver and a bug would.
    const failing: Record<string, () => Promise<never>> = {
      stats: () => Promise.reject(new HooklineError("HOOKLINE_STORE_ERROR", "computing stats")),
      timeline: () => Promise.reject(new Error("SQLITE_CORRUPT at /var/lib/secret/path")),
    };
    const real = env().store;
    const store = new Proxy(real, {
      get: (target, key) => {
        if (typeof key === "string" && key in failing) return failing[key];
        const v = Reflect.get(target, key);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const server = createAdminServer({ store, token: TOKEN, port: 0, logger });
    servers.push(server);
    const url = await server.listen();
    const auth = { authorization: `Bearer ${TOKEN}` };
    const stats = await fetch(`${url}/api/stats`, { headers: auth });
    expect(stats.status).toBe(503);
    expect(((await stats.json()) as { error: unknown }).error).toEqual({
      code: "HOOKLINE_STORE_ERROR",
      message: "computing stats",
    });
    const timeline = await fetch(`${url}/api/timeline`, { headers: auth });
    expect(timeline.status).toBe(500);
    const body = await timeline.text();
    expect(JSON.parse(body).error).toEqual({
      code: "HOOKLINE_INTERNAL_ERROR",
      message: "the admin API failed unexpectedly",
    });
    expect(body).not.toContain("secret");
    expect(logged).toEqual([
      ["admin API request failed", expect.objectContaining({ path: "/api/stats", status: 503 })],
      [
        "admin API request failed",
        expect.objectContaining({
          path: "/api/timeline",
          status: 500,
          error: expect.stringContaining("SQLITE_CORRUPT"),
        }),
      ],
    ]);
    // The page still works: reads that do not touch the failing methods answer normally.
    expect((await fetch(`${url}/api/deliveries?limit=1`, { headers: auth })).status).toBe(200);
  });
});

describe("createAdminServer options", () => {
  const store = memoryStore();
  it.each([
    [{ store }, /token: expected 16 to 512 visible ASCII characters .*; got none/],
    [{ store, token: "short" }, /token: expected .*; got a string of 5 characters/],
    [
      { store, auth: false, host: "0.0.0.0" },
      /auth: expected true \(a token\) when host "0.0.0.0" is not a loopback address, got boolean false/,
    ],
    [{ store, auth: false, token: TOKEN }, /token: expected no token when auth is false/],
    [{ store, token: TOKEN, port: 70_000 }, /port: expected an integer from 0 to 65535, got number 70000/],
    [
      { store, token: TOKEN, maxPageSize: 5000 },
      /maxPageSize: expected an integer from 1 to 1000, got number 5000/,
    ],
    [
      { store, token: TOKEN, pageSize: 5 },
      /createAdminServer options: unknown key "pageSize" \(did you mean "maxPageSize"\?\)/,
    ],
    [{ store, token: TOKEN, prot: 80 }, /unknown key "prot" \(did you mean "port"\?\)/],
    [{ store: {}, token: TOKEN }, /store: expected a DeliveryStore/],
    [
      { store, token: TOKEN, logger: { error() {} } },
      /logger: expected a logger with debug, info, warn and error methods .*, got an object \(Object\) without debug\(\), info\(\), warn\(\)$/,
    ],
  ])("refuses %j", (opts, message) => {
    expect(() => createAdminServer(opts as never)).toThrow(message);
  });

  it("never echoes a token in an error", () => {
    expect(() => adminApi(store, { token: "secret value!" })).not.toThrow(/secret value/);
    expect(() => adminApi(store, { token: "secret value!" })).toThrow(/HOOKLINE_INVALID_OPTION/);
  });

  it("--no-auth on loopback: no token, but only loopback Host names", async () => {
    const server = createAdminServer({ store: env().store, auth: false, port: 0 });
    servers.push(server);
    const url = await server.listen();
    expect((await fetch(`${url}/api/deliveries?limit=1`)).status).toBe(200);
    // fetch will not send a foreign Host header; node:http will, as a rebinding browser would.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/api`, { headers: { host: "evil.example" } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error.message).toMatch(/^host: expected a loopback host/);
  });
});
