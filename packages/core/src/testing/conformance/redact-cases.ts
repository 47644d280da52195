import { expect, it } from "vitest";
import type { AttemptResult, RedactReport } from "../../contracts/store.js";
import { redactHeaders } from "../../dispatch/redact.js";
import { makeEvent, makeOutcome, makeResult } from "../fixtures.js";
import { type ConformanceContext, claimOf } from "./helpers.js";

const HEADERS = {
  "content-type": "application/json",
  "webhook-id": "msg_1",
  "x-custom": "s3cret-value",
  "x-shown": "visible",
};

/** redactAttempts: rewrites stored requests in batches, idempotently, and never reveals. */
export function redactCases(ctx: ConformanceContext): void {
  it("redactAttempts rewrites stored request URLs and headers in batches, idempotently, with a dry run", async () => {
    const store = ctx.store();
    const evs = [0, 1, 2, 3].map(() => makeEvent({ claim: { leaseMs: 60_000 }, endpoints: ["ep-r"] }));
    await store.insertEvents(evs);
    const sent = (i: number): AttemptResult => ({
      ...makeResult(claimOf(evs[i]!), makeOutcome("success"), { status: "succeeded" }),
      request: { url: "http://127.0.0.1:9/hook", headers: HEADERS },
    });
    // Written as an older version did: custom header values in the clear. The last was never sent.
    await store.complete([
      sent(0),
      sent(1),
      sent(2),
      { ...makeResult(claimOf(evs[3]!), makeOutcome("permanent"), { status: "cancelled" }), request: null },
    ]);
    const seen: string[] = [];
    const rewrite = (r: {
      endpointId: string;
      url: string | null;
      requestHeaders: Readonly<Record<string, string>> | null;
    }) => {
      seen.push(r.endpointId);
      return {
        url: r.url?.replace("/hook", "/moved") ?? null,
        requestHeaders: r.requestHeaders ? redactHeaders(r.requestHeaders, ["x-shown"]) : null,
      };
    };
    const attempts = async () =>
      (await Promise.all(evs.map((ev) => store.getDelivery(ev.deliveries[0]!.id)))).map(
        (d) => d!.attemptLog[0]!,
      );

    const progress: RedactReport[] = [];
    const dry = await store.redactAttempts(rewrite, {
      dryRun: true,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(dry).toEqual({ scanned: 4, changed: 3 });
    expect(progress.at(-1)).toEqual(dry);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(["ep-r", "ep-r", "ep-r", "ep-r"]);
    expect((await attempts())[0]!.requestHeaders).toEqual(HEADERS);

    expect(await store.redactAttempts(rewrite, { batchSize: 2 })).toEqual({ scanned: 4, changed: 3 });
    const after = await attempts();
    for (const a of after.slice(0, 3)) {
      expect(a.url).toBe("http://127.0.0.1:9/moved");
      expect(a.requestHeaders).toEqual({
        "content-type": "application/json",
        "webhook-id": "msg_1",
        "x-custom": "[redacted]",
        "x-shown": "visible",
      });
    }
    expect(after[3]).toMatchObject({ url: null, requestHeaders: null });
    expect(await store.redactAttempts(rewrite)).toEqual({ scanned: 4, changed: 0 });

    // A rewrite cannot put a credential into the log: the store's own pass still applies.
    await store.redactAttempts((r) => ({
      url: r.url === null ? null : `${r.url}?apikey=s3cret`,
      requestHeaders: r.requestHeaders ? { ...r.requestHeaders, authorization: "Bearer s3cret" } : null,
    }));
    const forced = (await attempts())[0]!;
    expect(forced.url).toBe("http://127.0.0.1:9/moved?apikey=[redacted]");
    expect(forced.requestHeaders?.authorization).toBe("[redacted]");
  });

  it("redactAttempts rejects a batch size out of range", async () => {
    await expect(ctx.store().redactAttempts((r) => r, { batchSize: 0 })).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
  });
}
