import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runQuickstart } from "./run.js";

describe("examples/quickstart (the main job)", () => {
  it("delivers the three buyer events over real HTTP into a SQLite log, with one retry, and prints it", async () => {
    const dbFile = join(await mkdtemp(join(tmpdir(), "hl-qs-")), "log.sqlite");
    const lines: string[] = [];
    const { deliveries, received } = await runQuickstart({ dbFile, print: (l) => lines.push(l) });
    expect(deliveries).toHaveLength(6);
    expect(deliveries.every((d) => d.status === "succeeded")).toBe(true);
    expect(received.every((r) => r.verified)).toBe(true);
    const billing = deliveries.find((d) => d.endpointId === "billing")!;
    expect(billing.attemptLog.map((a) => a.responseStatus)).toEqual([503, 200]);
    expect(billing.attemptLog[0]!.requestHeaders?.["x-api-key"]).toBe("[redacted]");
    expect(new Set(received.map((r) => r.body))).toEqual(
      new Set([
        '{"buyerId":"0000","businessName":"test","postCodeList":["AB","BN","GN"],"remainingCredits":0,"eventCode":"user_credits_zero"}',
        '{"buyerId":"0000","businessName":"test","postCodeList":["AB","BN","GN"],"eventCode":"post_code_change"}',
        '{"buyerId":"0000","buyerName":"test","postCodeList":["AB","BN","GN"],"topUpAmount":100,"eventCode":"add_credits"}',
      ]),
    );
    const out = lines.join("\n");
    expect(out).toContain("Delivery log");
    expect(out).toMatch(/add_credits\s+│ billing\s+│ succeeded │ 200\s+│ 2 /);
    expect(out).toContain("503 → 200");
  });
});
