import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unreachable } from "./reachable.js";
import { runFanOut } from "./run.js";

const down = await unreachable();

// With CI set an unreachable broker fails the run (the example itself fails to connect);
// locally the suite is skipped under a name that says why.
const suite = down.length === 0 || process.env.CI ? describe : describe.skip;

suite(`examples/fan-out${down.length > 0 ? ` (unreachable: ${down.join("; ")})` : ""}`, () => {
  it("delivers one add_credits to an HTTP receiver, a RabbitMQ queue and a JetStream stream, each verified, and prints all three", async () => {
    const dbFile = join(await mkdtemp(join(tmpdir(), "hl-fan-")), "log.sqlite");
    const lines: string[] = [];
    const { deliveries, http, amqp, nats } = await runFanOut({ dbFile, print: (l) => lines.push(l) });

    expect(deliveries.map((d) => [d.endpointId, d.status]).sort()).toEqual([
      ["analytics-stream", "succeeded"],
      ["billing-queue", "succeeded"],
      ["crm", "succeeded"],
    ]);
    const eventId = deliveries[0]!.eventId;
    const body = deliveries[0]!.event.body;
    for (const got of [http, amqp, nats]) {
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ body, verified: true });
    }
    expect(amqp[0]!.webhookId).toBe(eventId);
    expect(nats[0]!.webhookId).toBe(eventId);

    const answer = (id: string) =>
      JSON.parse(deliveries.find((d) => d.endpointId === id)!.attemptLog[0]!.responseBody!);
    expect(answer("billing-queue")).toMatchObject({ exchange: "", ack: true });
    expect(answer("analytics-stream")).toMatchObject({ seq: 1, duplicate: false });
    expect(answer("analytics-stream").stream).toMatch(/^HOOKLINE_FAN_OUT_/);

    const out = lines.join("\n");
    expect(out).toMatch(/add_credits\s+│ crm\s+│ http\s+│ succeeded │ 200 /);
    expect(out).toMatch(/add_credits\s+│ billing-queue\s+│ amqp\s+│ succeeded │ -\s+│ 1 /);
    expect(out).toMatch(/add_credits\s+│ analytics-stream\s+│ nats\s+│ succeeded │ -\s+│ 1 /);
    expect(out).toMatch(/"stream":"HOOKLINE_FAN_OUT_[0-9A-F]+","seq":1,"duplicate":false/);
    expect(out).toMatch(/"exchange":"","routingKey":"[^"]*","ack":true/);
    // The broker password is substituted into the URL, never shown.
    expect(out).not.toContain("guest:guest");
  });
});
