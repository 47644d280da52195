import { createHookline, type DeliveryDetail, type DeliveryStore, substituteEnv } from "@hookline/core";
import { buyerEvents } from "@hookline/events-buyer";
import { knexStore } from "@hookline/store-knex";
import { httpTransport } from "@hookline/transport-http";
import config from "./hookline.config.js";
import { printDeliveryLog } from "./print-log.js";
import { type Received, startDemoReceiver } from "./receiver.js";

/** Options of the quickstart run (the tests use a temporary database file). */
export interface QuickstartOptions {
  /** SQLite file of the delivery log. @default "./hookline.sqlite" (the embedded default) */
  readonly dbFile?: string;
  /** Where the report goes. @default console.log */
  readonly print?: (line: string) => void;
}

/** The main job: a loopback receiver, the three buyer events, and the delivery log. */
export async function runQuickstart(opts: QuickstartOptions = {}): Promise<{
  deliveries: DeliveryDetail[];
  received: Received[];
}> {
  const print = opts.print ?? console.log;
  const secretByPath = Object.fromEntries(
    config.endpoints.map((e) => [
      new URL(e.url.replace(/\$\{RECEIVER_ORIGIN[^}]*\}/, "http://x")).pathname,
      substituteEnv(String(e.secret), e.id, process.env),
    ]),
  );
  const receiver = await startDemoReceiver(secretByPath);
  const hooks = createHookline({
    plugins: [buyerEvents()],
    endpoints: config.endpoints,
    env: { ...process.env, RECEIVER_ORIGIN: receiver.origin },
    store: opts.dbFile
      ? knexStore({
          knex: { client: "better-sqlite3", connection: { filename: opts.dbFile }, useNullAsDefault: true },
        })
      : knexStore(),
    // The SSRF guard blocks loopback by default; the demo receiver is allowlisted explicitly.
    transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
    worker: { pollIntervalMs: 200 },
  });
  try {
    await hooks.start();
    const buyer = { buyerId: "0000", postCodeList: ["AB", "BN", "GN"] };
    const emitted = [
      await hooks.emit("user_credits_zero", { ...buyer, businessName: "test", remainingCredits: 0 }),
      await hooks.emit("post_code_change", { ...buyer, businessName: "test" }),
      await hooks.emit("add_credits", { ...buyer, buyerName: "test", topUpAmount: 100 }),
    ];
    const ids = emitted.flatMap((r) => r.deliveries.map((d) => d.id));
    const deliveries = await waitUntilSettled(hooks.store, ids, 30_000);
    printDeliveryLog(deliveries, print);
    return { deliveries, received: receiver.received };
  } finally {
    await hooks.stop();
    await receiver.close();
  }
}

/** Poll the log until every delivery in `ids` has settled (succeeded, failed or cancelled), or the time is up. */
export async function waitUntilSettled(
  store: DeliveryStore,
  ids: string[],
  timeoutMs: number,
): Promise<DeliveryDetail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = (await Promise.all(ids.map((id) => store.getDelivery(id)))).filter(
      (d): d is DeliveryDetail => d !== null,
    );
    const settled = all.every(
      (d) => d.status === "succeeded" || d.status === "failed" || d.status === "cancelled",
    );
    if (settled || Date.now() > deadline) return all;
    await new Promise((r) => setTimeout(r, 100));
  }
}
