import { redactHeaders, redactUrl } from "@hookline/core";
import { makeEvent, makeOutcome, makeResult } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

// Values that must never be found in a stored row.
const SECRETS = {
  "x-auth": "s3cret-auth-0001",
  "x-access-key": "s3cret-access-0002",
  "x-hub-credential": "s3cret-hub-0003",
  "x-shopify-hmac-sha256": "s3cret-hmac-0004",
  "x-custom": "s3cret-custom-0006",
};
const QUERY_SECRET = "s3cret-query-0005";
const ALL = [...Object.values(SECRETS), QUERY_SECRET, "user:pw"];
const claimOf = (ev: ReturnType<typeof makeEvent>) => {
  const d = ev.deliveries[0]!;
  return { id: d.id, claimToken: d.claim!.token, attempts: 1, endpointId: d.endpointId, eventCode: ev.code };
};

describeTargets(targets, "redactAttempts", (target) => {
  const env = useTestEnv(target, "red");
  const raw = async () => JSON.stringify(await env().db(env().t.attempts).select("*"));

  it("complete() never stores query values or userinfo, even from a caller that did not redact", async () => {
    const { store } = env();
    const ev = makeEvent({ claim: { leaseMs: 60_000 } });
    await store.insertEvents([ev]);
    const r = makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" });
    await store.complete([
      { ...r, request: { url: `https://user:pw@r.example/h?apikey=${QUERY_SECRET}`, headers: {} } },
    ]);
    const stored = await raw();
    for (const s of ALL) expect(stored).not.toContain(s);
    const [a] = (await store.getDelivery(ev.deliveries[0]!.id))!.attemptLog;
    expect(a!.url).toBe("https://[redacted]@r.example/h?apikey=[redacted]");
  });

  it("scrubs rows an older version wrote, in batches, and a second run changes nothing", async () => {
    const { store, db, t } = env();
    const evs = Array.from({ length: 5 }, () => makeEvent({ claim: { leaseMs: 60_000 } }));
    await store.insertEvents(evs);
    await store.complete(
      evs.map((ev) => makeResult(claimOf(ev), makeOutcome("success"), { status: "succeeded" })),
    );
    // As an older version stored them: every header value and the whole URL in the clear.
    await db(t.attempts).update({
      url: `https://user:pw@r.example/h?apikey=${QUERY_SECRET}`,
      request_headers: JSON.stringify({ "content-type": "application/json", ...SECRETS, "x-tenant": "acme" }),
    });
    for (const s of ALL) expect(await raw()).toContain(s);

    const rule = (a: { url: string | null; requestHeaders: Readonly<Record<string, string>> | null }) => ({
      url: a.url === null ? null : redactUrl(a.url),
      requestHeaders: a.requestHeaders === null ? null : redactHeaders(a.requestHeaders, ["x-tenant"]),
    });
    expect(await store.redactAttempts(rule, { batchSize: 2, dryRun: true })).toEqual({
      scanned: 5,
      changed: 5,
    });
    for (const s of ALL) expect(await raw()).toContain(s);
    expect(await store.redactAttempts(rule, { batchSize: 2 })).toEqual({ scanned: 5, changed: 5 });
    const stored = await raw();
    for (const s of ALL) expect(stored).not.toContain(s);
    const [a] = (await store.getDelivery(evs[0]!.deliveries[0]!.id))!.attemptLog;
    expect(a!.url).toBe("https://[redacted]@r.example/h?apikey=[redacted]");
    expect(a!.requestHeaders).toEqual({
      "content-type": "application/json",
      "x-auth": "[redacted]",
      "x-access-key": "[redacted]",
      "x-hub-credential": "[redacted]",
      "x-shopify-hmac-sha256": "[redacted]",
      "x-custom": "[redacted]",
      "x-tenant": "acme",
    });
    expect(await store.redactAttempts(rule, { batchSize: 2 })).toEqual({ scanned: 5, changed: 0 });
  });
});
