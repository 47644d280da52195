import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EndpointConfig } from "../endpoints/endpoint-config.js";
import { loadConfig } from "../endpoints/load-config.js";
import { resolveEndpoints } from "../endpoints/resolve-endpoints.js";
import { errorMessageOf, SECRET } from "./helpers.js";

const known = ["order_placed", "order_shipped"];
const base: EndpointConfig = {
  id: "crm",
  url: "https://crm.example.com/hooks",
  events: ["order_placed"],
  secret: SECRET,
};
const resolve = (e: Partial<EndpointConfig>[], env: NodeJS.ProcessEnv = {}) =>
  resolveEndpoints(
    e.map((x) => ({ ...base, ...x }) as EndpointConfig),
    { knownCodes: known, env },
  );
describe("resolveEndpoints", () => {
  it("percent-encodes ${VAR} values in a URL's userinfo, so a secret cannot move the host", () => {
    const password = "p/w?x#y@evil.test:1/z%";
    const [ep] = resolve([{ url: "amqp://${AMQP_USER}:${AMQP_PASSWORD}@127.0.0.1:5672/?exchange=x" }], {
      AMQP_USER: "svc@hooks",
      AMQP_PASSWORD: password,
    });
    const url = new URL(ep!.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.port).toBe("5672");
    expect(decodeURIComponent(url.username)).toBe("svc@hooks");
    expect(decodeURIComponent(url.password)).toBe(password);
    // Placeholders outside the userinfo keep their plain substitution (a whole origin, say).
    const [plain] = resolve([{ url: "${ORIGIN}/hooks?k=${K}" }], {
      ORIGIN: "https://h.example:8443",
      K: "a/b",
    });
    expect(plain!.url).toBe("https://h.example:8443/hooks?k=a/b");
  });

  it("normalises a valid endpoint and freezes it", () => {
    const [ep] = resolve([{ headers: { "X-Tenant": "t1", Authorization: "Bearer x" }, timeoutMs: 5000 }]);
    expect(ep).toMatchObject({
      id: "crm",
      url: "https://crm.example.com/hooks",
      enabled: true,
      timeoutMs: 5000,
    });
    expect(ep!.headers).toEqual({ "x-tenant": "t1", authorization: "Bearer x" });
    expect(ep!.keys).toHaveLength(1);
    expect(Object.isFrozen(ep)).toBe(true);
    expect(resolve([{ events: "*", signing: false, secret: undefined }])[0]!.keys).toEqual([]);
  });

  it.each<[string, Partial<EndpointConfig>[], RegExp]>([
    ["duplicate ids", [{}, {}], /endpoints\[1\]\.id.*"crm" is used twice/],
    ["a malformed id", [{ id: "no spaces" }], /endpoints\[0\]\.id/],
    ["a malformed URL", [{ url: "http//nope" }], /endpoint "crm" url.*absolute URL/],
    ["an unknown event code", [{ events: ["order_lost"] }], /endpoint "crm" events.*"order_lost"/],
    ["an empty event list", [{ events: [] }], /endpoint "crm" events/],
    ["a secret without prefix", [{ secret: "abc" }], /endpoint "crm" secret.*whsec_/],
    [
      "a short secret",
      [{ secret: `whsec_${Buffer.alloc(10).toString("base64")}` }],
      /secret.*24–64 key bytes, got 10/,
    ],
    ["a bad secret in a rotation", [{ secret: [SECRET, "whsec_%%%"] }], /secret\[1\]/],
    ["a reserved header", [{ headers: { Host: "evil" } }], /headers\["Host"\].*reserved/],
    ["a webhook-* header", [{ headers: { "webhook-id": "x" } }], /headers\["webhook-id"\].*reserved/],
    ["a content-length header", [{ headers: { "Content-Length": "1" } }], /reserved/],
    [
      "CR/LF in a header value",
      [{ headers: { "x-a": "a\r\nx-b: c" } }],
      /without control characters; got a value containing U\+000D/,
    ],
    ["NUL in a header value", [{ headers: { "x-a": "a\u0000" } }], /got a value containing U\+0000/],
    ["a bad header name", [{ headers: { "x a": "1" } }], /valid HTTP header name/],
    ["a zero timeout", [{ timeoutMs: 0 }], /timeoutMs/],
    ["a negative retry delay", [{ retrySchedule: [1, -2] }], /retrySchedule/],
    ["a non-boolean enabled", [{ enabled: "yes" as unknown as boolean }], /enabled/],
  ])("rejects %s, naming endpoint and field", (_name, eps, pattern) => {
    expect(errorMessageOf(() => resolve(eps))).toMatch(pattern);
  });

  it("never echoes a secret value in the error", () => {
    const bad = "whsec_c2hvcnQ=";
    expect(errorMessageOf(() => resolve([{ secret: bad }]))).not.toContain("c2hvcnQ");
  });

  it("substitutes ${ENV} and ${ENV:-default} in url, secret and headers", () => {
    const [ep] = resolve(
      [
        {
          url: "https://${HOST}/h?x=${MISSING:-d}",
          secret: "${SECRET}",
          headers: { authorization: "Bearer ${TOKEN}" },
        },
      ],
      { HOST: "api.example.com", SECRET, TOKEN: "t0k" },
    );
    expect(ep!.url).toBe("https://api.example.com/h?x=d");
    expect(ep!.headers.authorization).toBe("Bearer t0k");
    expect(errorMessageOf(() => resolve([{ url: "https://${NOPE}/" }]))).toMatch(/endpoint "crm" url.*NOPE/);
  });

  it("never echoes a substituted value when the URL it makes does not parse", () => {
    // Userinfo values are encoded, so "/", "?" and "#" in a password no longer break the URL.
    for (const pass of ["s3cr/et", "s3cr?et", "s3cr#et"]) {
      const [ep] = resolve([{ url: "amqp://guest:${PASS}@127.0.0.1:5672/" }], { PASS: pass });
      expect(new URL(ep!.url).hostname).toBe("127.0.0.1");
    }
    // A whole URL from the environment that does not parse is quoted as configured.
    const message = errorMessageOf(() =>
      resolve([{ url: "${BROKER_URL}" }], { BROKER_URL: "amqp://guest:s3cret@[::1/" }),
    );
    expect(message).toMatch(/endpoint "crm" url: expected an absolute URL/);
    expect(message).not.toContain("s3cr");
  });
});

describe("loadConfig", () => {
  const cfg = { endpoints: [{ id: "a", url: "https://a.example/h", events: "*" }] };
  it("loads json, js and ts constants files, and finds one in cwd", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hl-cfg-"));
    await writeFile(join(dir, "c.json"), JSON.stringify(cfg));
    await writeFile(join(dir, "c.mjs"), `export default ${JSON.stringify(cfg)};`);
    await writeFile(
      join(dir, "hookline.config.ts"),
      `const url: string = "https://a.example/h";\nexport default { endpoints: [{ id: "ts", url, events: "*" as const }] };\n`,
    );
    expect((await loadConfig({ cwd: dir, file: "c.json" })).config.endpoints[0]!.id).toBe("a");
    expect((await loadConfig({ cwd: dir, file: "c.mjs" })).config.endpoints[0]!.id).toBe("a");
    const found = await loadConfig({ cwd: dir });
    expect(found.path.endsWith("hookline.config.ts")).toBe(true);
    expect(found.config.endpoints[0]!.id).toBe("ts");
  });
  it("fails with coded errors for a missing or malformed file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hl-cfg-"));
    await expect(loadConfig({ cwd: dir })).rejects.toMatchObject({ code: "HOOKLINE_CONFIG_NOT_FOUND" });
    await writeFile(join(dir, "bad.json"), "{ nope");
    await expect(loadConfig({ cwd: dir, file: "bad.json" })).rejects.toMatchObject({
      code: "HOOKLINE_CONFIG_LOAD_FAILED",
    });
    await writeFile(join(dir, "empty.json"), "{}");
    await expect(loadConfig({ cwd: dir, file: "empty.json" })).rejects.toMatchObject({
      code: "HOOKLINE_CONFIG_LOAD_FAILED",
    });
  });
});
