import { createHookline, type DeliveryStore, type Hookline, TERMINAL_STATUSES } from "@hookline/core";
import { startHttpReceiver, type TestReceiver, until } from "@hookline/core/testing";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import { sqliteConfig } from "./sqlite-store.js";

/** Response body of the alerts endpoint: markup that must show as text, never run. */
export const HOSTILE_BODY = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
/** A credential in the billing endpoint's headers: it must never appear in any admin output. */
export const BILLING_API_KEY = "sk_live_do_not_show_0123456789";

/**
 * The buyer plugin delivering over real HTTP into `store`: crm answers 200, billing answers 500
 * and has no retries left (so it fails at once), alerts answers 200 with a hostile body.
 */
export function testEndpoints(origin: string) {
  return [
    {
      id: "crm",
      url: `${origin}/crm`,
      events: ["user_credits_zero", "post_code_change", "add_credits"],
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    },
    {
      id: "billing",
      url: `${origin}/billing?tenant=7`,
      events: ["add_credits"],
      headers: { authorization: `Bearer ${BILLING_API_KEY}` },
      retrySchedule: [],
      signing: false,
    },
    {
      id: "alerts",
      url: `${origin}/alerts`,
      events: ["user_credits_zero", "post_code_change"],
      signing: false,
    },
  ];
}

export interface LiveHookline {
  readonly hooks: Hookline;
  readonly receiver: TestReceiver;
  /** Emit `n` rounds of the three buyer events (buyer ids b-0, b-1, …); resolves once all settled. */
  emitRounds(n: number): Promise<string[]>;
  /** Resolve once every delivery id is terminal. */
  settle(ids: readonly string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `file` is the SQLite log; the Hookline opens its own store on it (stop() closes that one), and
 * `store` is the test's view used to wait for settlement.
 */
export async function startLiveHookline(file: string, store: DeliveryStore): Promise<LiveHookline> {
  const receiver = await startHttpReceiver();
  receiver.on("/billing?tenant=7", { status: 500, body: '{"error":"ledger offline"}' });
  receiver.on("/alerts", { status: 200, headers: { "x-note": "<b>bold?</b>" }, body: HOSTILE_BODY });
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints: testEndpoints(receiver.baseUrl),
    store: knexStore({ knex: sqliteConfig(file) }),
    transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
    worker: { pollIntervalMs: 50, endpointRefreshMs: 100 },
  });
  await hooks.start();
  const settled = async (ids: readonly string[]) =>
    (await Promise.all(ids.map((id) => store.getDelivery(id)))).every(
      (d) => d !== null && TERMINAL_STATUSES.includes(d.status),
    );
  const settle = (ids: readonly string[], timeoutMs = 10_000) =>
    until(() => settled(ids), { timeoutMs, everyMs: 25, what: "the deliveries to settle" });
  return {
    hooks,
    receiver,
    settle,
    async emitRounds(n) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const buyer = { buyerId: `b-${i}`, postCodeList: ["AB", "BN", "GN"] };
        const results = [
          await hooks.emit("user_credits_zero", { ...buyer, businessName: "test", remainingCredits: 0 }),
          await hooks.emit("post_code_change", { ...buyer, businessName: "test" }),
          await hooks.emit("add_credits", { ...buyer, buyerName: "test", topUpAmount: 100 }),
        ];
        ids.push(...results.flatMap((r) => r.deliveries.map((d) => d.id)));
      }
      await settle(ids);
      return ids;
    },
    async stop() {
      await hooks.stop();
      await receiver.close();
    },
  };
}
