import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transport } from "../contracts/transport.js";
import type { TestReceiver } from "./receiver.js";
import { receiverProbe } from "./receiver-probe.js";
import { sinkConformance } from "./sink-conformance.js";
import { makeRequest, type TransportTestSettings } from "./test-request.js";

export { makeRequest, type TransportTestSettings } from "./test-request.js";

/** How the HTTP-shaped suites build a transport and the receiver it talks to. */
export interface TransportConformanceOptions {
  /** A receiver the transport can reach (real HTTP for network transports). */
  readonly receiver: () => Promise<TestReceiver>;
  /** A transport configured with `settings` that may reach `receiver` (e.g. allowlisted). */
  readonly create: (receiver: TestReceiver, settings: TransportTestSettings) => Transport;
  /** A URL where nothing listens. */
  readonly unreachableUrl?: () => string;
}

const SETTINGS: TransportTestSettings = { timeoutMs: 400, maxResponseBytes: 1024 };

/**
 * Both suites a transport with an HTTP-shaped receiver runs: sinkConformance() over a
 * receiverProbe(), then httpTransportConformance().
 */
export function transportConformance(name: string, opts: TransportConformanceOptions): void {
  sinkConformance(name, {
    probe: async () => {
      const receiver = await opts.receiver();
      return { ...receiverProbe(receiver, opts.unreachableUrl), receiver };
    },
    create: (probe, settings) => opts.create(probe.receiver, settings),
    ...(opts.unreachableUrl === undefined
      ? { noUnreachableBecause: "no unreachableUrl given, the transport has no network to fail" }
      : {}),
  });
  httpTransportConformance(name, opts);
}

/**
 * What an HTTP-shaped sink adds to the sink contract: a POST with the exact headers; 2xx success
 * with status and body; 3xx never followed; 410 permanent; Retry-After parsed; bodies capped;
 * deadlines and aborts against a slow receiver.
 */
export function httpTransportConformance(name: string, opts: TransportConformanceOptions): void {
  describe(`HTTP transport conformance: ${name}`, () => {
    let receiver: TestReceiver;
    let transport: Transport;
    const signal = () => new AbortController().signal;
    beforeAll(async () => {
      receiver = await opts.receiver();
      transport = opts.create(receiver, SETTINGS);
    });
    afterAll(async () => {
      await transport?.close?.();
      await receiver?.close();
    });

    it("POSTs the exact body and headers, and reports a 2xx as success with status, body and timing", async () => {
      receiver.on("/ok", { status: 200, body: "thanks", headers: { "x-reply": "1" } });
      const req = makeRequest(receiver.url("/ok"));
      const out = await transport.send(req, { signal: signal() });
      expect(out).toMatchObject({ kind: "success", status: 200, body: "thanks", bodyTruncated: false });
      expect(out.headers?.["x-reply"]).toBe("1");
      expect(out.durationMs).toBeGreaterThanOrEqual(0);
      const got = receiver.requests.find((r) => r.headers["webhook-id"] === req.eventId)!;
      expect(got.method).toBe("POST");
      expect(got.body).toBe(req.body);
      for (const [k, v] of Object.entries(req.headers)) expect(got.headers[k]).toBe(v);
    });

    it("treats 204 as success", async () => {
      receiver.on("/204", { status: 204, body: "" });
      expect((await transport.send(makeRequest(receiver.url("/204")), { signal: signal() })).kind).toBe(
        "success",
      );
    });

    it("treats 500 as retryable with HOOKLINE_HTTP_STATUS", async () => {
      receiver.on("/500", { status: 500, body: "boom" });
      const out = await transport.send(makeRequest(receiver.url("/500")), { signal: signal() });
      expect(out).toMatchObject({
        kind: "retryable",
        status: 500,
        body: "boom",
        error: { code: "HOOKLINE_HTTP_STATUS" },
      });
    });

    it("treats 410 as permanent and asks for the endpoint to be disabled", async () => {
      receiver.on("/410", { status: 410 });
      const out = await transport.send(makeRequest(receiver.url("/410")), { signal: signal() });
      expect(out).toMatchObject({ kind: "permanent", status: 410, disableEndpoint: true });
      expect(out.error?.code).toBe("HOOKLINE_ENDPOINT_GONE");
    });

    it("parses Retry-After on 429", async () => {
      receiver.on("/429", { status: 429, headers: { "retry-after": "7" } });
      const out = await transport.send(makeRequest(receiver.url("/429")), { signal: signal() });
      expect(out).toMatchObject({ kind: "retryable", status: 429, retryAfterMs: 7000 });
    });

    it("never follows a redirect and records its Location", async () => {
      receiver.on("/moved", { status: 302, headers: { location: "/elsewhere" } });
      const before = receiver.requests.length;
      const out = await transport.send(makeRequest(receiver.url("/moved")), { signal: signal() });
      expect(out).toMatchObject({ kind: "retryable", status: 302, error: { code: "HOOKLINE_REDIRECT" } });
      expect(out.headers?.location).toBe("/elsewhere");
      await new Promise((r) => setTimeout(r, 50));
      expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(["/moved"]);
    });

    it("caps the response body and flags it truncated", async () => {
      receiver.on("/big", { status: 200, body: "y".repeat(50_000) });
      const out = await transport.send(makeRequest(receiver.url("/big")), { signal: signal() });
      expect(out.kind).toBe("success");
      expect(out.bodyTruncated).toBe(true);
      expect(Buffer.byteLength(out.body ?? "")).toBeLessThanOrEqual(SETTINGS.maxResponseBytes);
      expect(out.body?.startsWith("yyyy")).toBe(true);
    });

    it("turns a receiver slower than the deadline into a retryable HOOKLINE_TIMEOUT, on time", async () => {
      receiver.on("/slow", { status: 200, delayMs: 3_000 });
      const t0 = Date.now();
      const out = await transport.send(makeRequest(receiver.url("/slow")), { signal: signal() });
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
      expect(Date.now() - t0).toBeLessThan(SETTINGS.timeoutMs + 1_000);
    });

    it("honours a per-request timeoutMs shorter than the default", async () => {
      receiver.on("/slowish", { status: 200, delayMs: 1_500 });
      const t0 = Date.now();
      const out = await transport.send(makeRequest(receiver.url("/slowish"), { timeoutMs: 100 }), {
        signal: signal(),
      });
      expect(out.error?.code).toBe("HOOKLINE_TIMEOUT");
      expect(Date.now() - t0).toBeLessThan(1_000);
    });

    it("resolves with HOOKLINE_ABORTED when the signal aborts, without throwing", async () => {
      receiver.on("/hang", { status: 200, delayMs: 3_000 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const out = await transport.send(makeRequest(receiver.url("/hang"), { timeoutMs: 5_000 }), {
        signal: ac.signal,
      });
      expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
    });

    const unreachable = opts.unreachableUrl;
    const reason = unreachable
      ? ""
      : " [skipped: no unreachableUrl given, the transport has no network to fail]";
    (unreachable ? it : it.skip)(
      `returns a retryable outcome (never throws) when nothing listens${reason}`,
      async () => {
        const out = await transport.send(makeRequest(unreachable!()), { signal: signal() });
        expect(out.kind).toBe("retryable");
        expect(out.error?.code).toMatch(/^HOOKLINE_/);
        expect(out.status).toBeUndefined();
      },
    );

    it("handles 50 concurrent sends", async () => {
      receiver.on("/many", { status: 200, delayMs: 20 });
      const outs = await Promise.all(
        Array.from({ length: 50 }, () =>
          transport.send(makeRequest(receiver.url("/many"), { timeoutMs: 10_000 }), { signal: signal() }),
        ),
      );
      expect(outs.every((o) => o.kind === "success")).toBe(true);
    });
  });
}
