import { createHookline, verify } from "@hookline/core";
import { startHttpReceiver } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore, tableNames } from "@hookline/store-knex";
import { describeTargets, testTargets, uniquePrefix } from "@hookline/store-knex/testing";
import { httpTransport } from "@hookline/transport-http";
import knexFactory from "knex";
import { expect, it, vi } from "vitest";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describeTargets(await testTargets(), "bytes", (target) => {
  it(`round-trips an emoji, RTL and \\u0000 payload byte-exact, and its signature verifies on retry`, async () => {
    const cfg = target.config();
    const receiver = await startHttpReceiver();
    receiver.on("/b", [{ status: 503 }, { status: 200 }]);
    const prefix = uniquePrefix("b");
    const hooks = createHookline({
      plugins: [buyerEvents()],
      endpoints: [{ id: "b", url: receiver.url("/b"), events: "*", secret: SECRET }],
      store: knexStore({ knex: cfg, tablePrefix: prefix }),
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
      retry: { schedule: [300], jitter: 0 },
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    const buyerName = "Zoë 😀 مرحبا بالعالم \u0000 end \u202e 𝄞";
    const r = await hooks.emit("add_credits", {
      buyerId: "0000",
      buyerName,
      postCodeList: ["AB", "ß"],
      topUpAmount: 100,
    });
    const [first, retry] = await receiver.waitFor(2, { timeoutMs: 10_000 });
    expect(retry!.body).toBe(first!.body);
    expect(Number(retry!.headers["webhook-timestamp"])).toBeGreaterThanOrEqual(
      Number(first!.headers["webhook-timestamp"]),
    );
    const verified = verify({ body: retry!.body, headers: retry!.headers, secret: SECRET });
    expect(verified).toMatchObject({ id: r.eventId, payload: { buyerName } });
    await vi.waitFor(async () =>
      expect((await hooks.store.getDelivery(r.deliveries[0]!.id))?.status).toBe("succeeded"),
    );
    const stored = await hooks.store.getEvent(r.eventId);
    expect(Buffer.from(stored!.body, "utf8").equals(Buffer.from(first!.body, "utf8"))).toBe(true);
    await hooks.stop();
    await receiver.close();
    const db = knexFactory(cfg);
    for (const t of tableNames(prefix).all) await db.schema.dropTableIfExists(t);
    await db.destroy();
  });
});
