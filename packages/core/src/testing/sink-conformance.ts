import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transport } from "../contracts/transport.js";
import { verify } from "../signing/verify.js";
import { TEST_SECRET } from "./secrets.js";
import { makeRequest, type TransportTestSettings } from "./test-request.js";

/** One delivery as the consumer behind a sink saw it. */
export interface SinkMessage {
  /** The body, decoded from UTF-8. */
  readonly body: string;
  /** Header names in lower case (HTTP headers, AMQP message headers, NATS headers…). */
  readonly headers: Readonly<Record<string, string>>;
}

/** A place the transport can deliver to, plus a consumer that reads what arrived there. */
export interface SinkDestination {
  /** The endpoint URL that reaches this destination. */
  readonly url: string;
  /** The message whose `webhook-id` is `eventId`; rejects if none arrives within `timeoutMs`. */
  received(eventId: string, opts?: { readonly timeoutMs?: number }): Promise<SinkMessage>;
  /** Delete what the destination created (queue, stream, route). */
  cleanup(): Promise<void>;
}

/**
 * What a transport's test supplies so the suite can drive any kind of sink: real HTTP receivers,
 * brokers, or memory.
 */
export interface SinkProbe {
  /** A fresh destination (a new path, queue or subject). */
  destination(): Promise<SinkDestination>;
  /** A destination that accepts the attempt and never answers (no response, no confirm). */
  stalled(): Promise<{ readonly url: string; cleanup(): Promise<void> }>;
  /** A URL where nothing listens; omit for a transport that has no network to fail. */
  unreachableUrl?(): string;
  /** Release the probe (servers, consumer connections). */
  close(): Promise<void>;
}

/** How the suite builds its probe and a transport that reaches it. */
export interface SinkConformanceOptions<P extends SinkProbe = SinkProbe> {
  readonly probe: () => Promise<P>;
  /** A transport configured with `settings` that may reach the probe's destinations. */
  readonly create: (probe: P, settings: TransportTestSettings) => Transport;
  /**
   * Why the "nothing listens" case cannot apply to this sink (e.g. it has no network to fail).
   * Set it when the probe has no `unreachableUrl`; the case is then skipped with this reason in
   * its name. @default undefined (the case runs)
   */
  readonly noUnreachableBecause?: string;
}

/** Settings every sink suite runs with: short, so deadlines are testable quickly. */
export const SINK_TEST_SETTINGS: TransportTestSettings = { timeoutMs: 400, maxResponseBytes: 1024 };

const signal = () => new AbortController().signal;
// Cases that expect success give each attempt room: the suite's short default deadline is for the
// deadline cases, and a loaded machine must not turn a slow success into a failure.
const ROOMY = { timeoutMs: 10_000 };

/** A signed request whose UTF-8 body is exactly `bytes` long, with multi-byte characters in it. */
function bigRequest(url: string, bytes: number) {
  const head = '{"note":"Zoë 😀 ✓","pad":"';
  const tail = '"}';
  const pad = "x".repeat(bytes - Buffer.byteLength(head + tail));
  return makeRequest(url, { ...ROOMY, body: head + pad + tail });
}

/**
 * The contract every Transport honours whatever its sink: the exact signed body and the Standard
 * Webhooks headers arrive and verify with `verify()`; success carries timing; failures, deadlines
 * and aborts are outcome values, never throws; `close()` is idempotent and a later send resolves.
 */
export function sinkConformance<P extends SinkProbe>(name: string, opts: SinkConformanceOptions<P>): void {
  describe(`Sink conformance: ${name}`, () => {
    let probe: P;
    let transport: Transport;
    const cleanups: (() => Promise<void>)[] = [];
    const destination = async () => {
      const d = await probe.destination();
      cleanups.push(() => d.cleanup());
      return d;
    };
    beforeAll(async () => {
      probe = await opts.probe();
      transport = opts.create(probe, SINK_TEST_SETTINGS);
    });
    afterAll(async () => {
      await transport?.close?.();
      for (const c of cleanups.splice(0)) await c();
      await probe?.close();
    });

    it("delivers the exact body and the Standard Webhooks headers, which verify; success carries timing", async () => {
      const dest = await destination();
      const req = makeRequest(dest.url, ROOMY);
      const out = await transport.send(req, { signal: signal() });
      expect(out.kind, JSON.stringify(out.error)).toBe("success");
      expect(out.error).toBeUndefined();
      expect(Number.isFinite(out.durationMs) && out.durationMs >= 0).toBe(true);
      const got = await dest.received(req.eventId);
      expect(got.body).toBe(req.body);
      for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature", "x-tenant"]) {
        expect(got.headers[name], name).toBe(req.headers[name]);
      }
      const verified = verify({ body: got.body, headers: got.headers, secret: TEST_SECRET });
      expect(verified.id).toBe(req.eventId);
    });

    it("delivers a 256 KiB body byte-exact", async () => {
      const dest = await destination();
      const req = bigRequest(dest.url, 256 * 1024);
      const out = await transport.send(req, { signal: signal() });
      expect(out.kind, JSON.stringify(out.error)).toBe("success");
      const got = await dest.received(req.eventId);
      expect(Buffer.byteLength(got.body)).toBe(256 * 1024);
      expect(Buffer.from(got.body).equals(Buffer.from(req.body))).toBe(true);
      expect(verify({ body: got.body, headers: got.headers, secret: TEST_SECRET }).id).toBe(req.eventId);
    });

    it("delivers 50 concurrent sends, and every one arrives", async () => {
      const dest = await destination();
      const reqs = Array.from({ length: 50 }, () => makeRequest(dest.url, ROOMY));
      const outs = await Promise.all(reqs.map((r) => transport.send(r, { signal: signal() })));
      expect(outs.filter((o) => o.kind !== "success").map((o) => o.error)).toEqual([]);
      const got = await Promise.all(reqs.map((r) => dest.received(r.eventId)));
      expect(got.map((g) => g.headers["webhook-id"])).toEqual(reqs.map((r) => r.eventId));
    });

    it("resolves with a retryable HOOKLINE_ABORTED when the signal is already aborted", async () => {
      const dest = await destination();
      const ac = new AbortController();
      ac.abort();
      const out = await transport.send(makeRequest(dest.url), { signal: ac.signal });
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
    });

    it("resolves with HOOKLINE_ABORTED soon after the signal aborts a stalled attempt", async () => {
      const stalled = await probe.stalled();
      cleanups.push(() => stalled.cleanup());
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      const out = await transport.send(makeRequest(stalled.url, { timeoutMs: 10_000 }), {
        signal: ac.signal,
      });
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    it("turns a stalled attempt into a retryable HOOKLINE_TIMEOUT at the request's deadline", async () => {
      const stalled = await probe.stalled();
      cleanups.push(() => stalled.cleanup());
      const t0 = Date.now();
      const out = await transport.send(makeRequest(stalled.url, { timeoutMs: 300 }), { signal: signal() });
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
      expect(Date.now() - t0).toBeLessThan(300 + 1_000);
    });

    const skipUnreachable = opts.noUnreachableBecause;
    (skipUnreachable === undefined ? it : it.skip)(
      `returns a retryable outcome with a code, never a throw, when nothing listens${skipUnreachable === undefined ? "" : ` [skipped: ${skipUnreachable}]`}`,
      async () => {
        if (probe.unreachableUrl === undefined) {
          throw new Error("the probe has no unreachableUrl: give one, or set noUnreachableBecause");
        }
        const out = await transport.send(makeRequest(probe.unreachableUrl()), { signal: signal() });
        expect(out.kind).toBe("retryable");
        expect(out.error?.code).toMatch(/^HOOKLINE_/);
        expect(out.status).toBeUndefined();
      },
    );

    it("close() is idempotent, and a send after it resolves with a failed outcome", async () => {
      const dest = await destination();
      const own = opts.create(probe, SINK_TEST_SETTINGS);
      expect((await own.send(makeRequest(dest.url, ROOMY), { signal: signal() })).kind).toBe("success");
      await own.close?.();
      await own.close?.();
      const after = await own.send(makeRequest(dest.url), { signal: signal() });
      expect(["success", "retryable", "permanent"]).toContain(after.kind);
      if (own.close !== undefined) expect(after.kind).not.toBe("success");
    });
  });
}
