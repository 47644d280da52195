import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { runObservability } from "./run.js";

const METRICS = [
  "hookline.events.emitted",
  "hookline.attempts",
  "hookline.attempt.duration",
  "hookline.deliveries.completed",
  "hookline.emit.duration",
  "hookline.inflight",
  "hookline.backlog",
  "hookline.backlog.oldest_age",
];

describe("examples/observability", () => {
  it("traces the three buyer events from the request span through every attempt, propagates billing's context and records every metric", async () => {
    const lines: string[] = [];
    const { deliveries, spans, received } = await runObservability({ print: (l) => lines.push(l) });
    expect(deliveries).toHaveLength(6);
    expect(deliveries.every((d) => d.status === "succeeded")).toBe(true);

    const request = spans.find((s) => s.name === "POST /buyers/0000/credits")!;
    const emits = spans.filter((s) => s.name === "hookline.emit");
    expect(emits.map((s) => s.attributes["hookline.event.code"])).toEqual([
      "user_credits_zero",
      "post_code_change",
      "add_credits",
    ]);
    for (const e of emits) {
      expect(e.kind).toBe(SpanKind.PRODUCER);
      expect(e.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    const addCredits = emits[2]!.spanContext();

    const attempts = spans.filter((s) => s.name === "hookline.attempt");
    expect(attempts).toHaveLength(7); // six deliveries, billing's twice
    const billing = attempts
      .filter((s) => s.attributes["hookline.endpoint.id"] === "billing")
      .sort(
        (a, b) =>
          Number(a.attributes["hookline.attempt.number"]) - Number(b.attributes["hookline.attempt.number"]),
      );
    expect(
      billing.map((s) => [s.attributes["hookline.outcome"], s.attributes["http.response.status_code"]]),
    ).toEqual([
      ["retryable", 503],
      ["success", 200],
    ]);
    // The first attempt is a child of its emit; the retry starts a trace of its own, linked to it.
    expect(billing[0]!.parentSpanContext?.spanId).toBe(addCredits.spanId);
    expect(billing[1]!.spanContext().traceId).not.toBe(addCredits.traceId);
    expect(billing[1]!.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [addCredits.traceId, addCredits.spanId],
    ]);

    // Only billing propagates: the receiver saw each billing attempt's own span as parent.
    const billingHeaders = received.filter((r) => r.path === "/billing/top-ups").map((r) => r.traceparent);
    expect(billingHeaders).toEqual(
      billing.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`),
    );
    const others = received.filter((r) => r.path !== "/billing/top-ups");
    expect(others.map((r) => r.traceparent)).toEqual([null, null, null, null, null]); // crm ×3, sales-alerts ×2

    const out = lines.join("\n");
    expect(out).toMatch(
      /^ {4}hookline\.emit \[producer\] span [0-9a-f]{16} hookline\.event\.code=add_credits/m,
    );
    expect(out).toMatch(
      /hookline\.attempt \[client\] .*hookline\.endpoint\.id=billing hookline\.attempt\.number=2/,
    );
    expect(out).toContain(`↪ link to hookline.emit: trace ${addCredits.traceId} span ${addCredits.spanId}`);
    expect(out).toMatch(
      /receiver got POST \/billing\/top-ups {2}traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-01/,
    );
    for (const name of METRICS)
      expect(out).toMatch(new RegExp(`^ {2}${name.replaceAll(".", "\\.")} \\(`, "m"));
    // The application's own log line inside the request span carries its trace id.
    expect(out).toContain(`"trace_id":"${request.spanContext().traceId}"`);
  });
});
