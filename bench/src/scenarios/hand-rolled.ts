import { createHmac, randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { request } from "undici";
import { cpuSnapshot, cpuSplit } from "../lib/cpu.js";
import { serverPids } from "../lib/db-pids.js";
import { newAgent } from "../lib/http-client.js";
import { BODY_BYTES, bodyFor, EVENT_CODE, SECRET } from "../lib/payload.js";
import { figure, type Scenario } from "../lib/scenario.js";
import { perSecond } from "../lib/stats.js";
import { inLanes } from "../lib/wait.js";
import { withScenario } from "../lib/with-scenario.js";

const sizes = (quick: boolean) => ({ events: quick ? 300 : 5_000, inFlight: 16 });
const KEY = Buffer.from(SECRET.slice("whsec_".length), "base64");

/** The plain tables a team would write by hand: primary keys only. */
async function createTables(db: Knex, p: string): Promise<void> {
  await db.schema.createTable(`${p}hr_events`, (t) => {
    t.string("id", 64).primary();
    t.string("code", 64).notNullable();
    t.text("body").notNullable();
    t.bigInteger("created_at").notNullable();
  });
  await db.schema.createTable(`${p}hr_deliveries`, (t) => {
    t.string("id", 64).primary();
    t.string("event_id", 64).notNullable();
    t.string("status", 16).notNullable();
    t.integer("attempts").notNullable();
    t.integer("last_status").nullable();
    t.bigInteger("updated_at").notNullable();
  });
  await db.schema.createTable(`${p}hr_attempts`, (t) => {
    t.string("id", 64).primary();
    t.string("delivery_id", 64).notNullable();
    t.integer("response_status").nullable();
    t.integer("duration_ms").notNullable();
    t.bigInteger("started_at").notNullable();
  });
}

/** One event the naive way: four autocommit statements around one signed POST. */
async function deliverOne(db: Knex, p: string, url: string, agent: ReturnType<typeof newAgent>, i: number) {
  const eventId = `evt_${randomUUID()}`;
  const deliveryId = `dlv_${randomUUID()}`;
  const body = bodyFor(i);
  await db(`${p}hr_events`).insert({ id: eventId, code: EVENT_CODE, body, created_at: Date.now() });
  await db(`${p}hr_deliveries`).insert({
    id: deliveryId,
    event_id: eventId,
    status: "pending",
    attempts: 0,
    updated_at: Date.now(),
  });
  const started = Date.now();
  const ts = Math.floor(started / 1000);
  const sig = createHmac("sha256", KEY).update(`${eventId}.${ts}.${body}`).digest("base64");
  const res = await request(url, {
    method: "POST",
    dispatcher: agent,
    headers: {
      "content-type": "application/json",
      "webhook-id": eventId,
      "webhook-timestamp": String(ts),
      "webhook-signature": `v1,${sig}`,
    },
    body,
  });
  await res.body.text();
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  await db(`${p}hr_deliveries`)
    .where({ id: deliveryId })
    .update({
      status: ok ? "succeeded" : "pending",
      attempts: 1,
      last_status: res.statusCode,
      updated_at: Date.now(),
    });
  await db(`${p}hr_attempts`).insert({
    id: `att_${randomUUID()}`,
    delivery_id: deliveryId,
    response_status: res.statusCode,
    duration_ms: Date.now() - started,
    started_at: started,
  });
}

/** 2. The baseline Hookline is judged against: a hand-rolled loop on knex + mysql2. */
export const handRolled: Scenario = {
  id: "2",
  title: "Hand-rolled baseline (MariaDB)",
  settings: (quick) => ({
    ...sizes(quick),
    statements:
      "INSERT event, INSERT delivery, POST (HMAC-signed), UPDATE delivery, INSERT attempt; autocommit each",
    pool: 16,
    bodyBytes: BODY_BYTES,
  }),
  async round(ctx) {
    const { events, inFlight } = sizes(ctx.quick);
    return withScenario({ db: "mariadb", tag: "hr", pool: inFlight }, async (s) => {
      const db = s.knex();
      const receiver = await s.receiver();
      const agent = s.agent();
      const p = s.target.prefix;
      await createTables(db, p);
      const groups = { bench: [process.pid], receiver: [receiver.pid], mariadb: serverPids("mariadb") };
      const cpu0 = cpuSnapshot(groups);
      const t0 = performance.now();
      await inLanes(events, inFlight, (i) => deliverOne(db, p, receiver.url, agent, i));
      const ms = performance.now() - t0;
      const cpu = cpuSplit(cpu0, cpuSnapshot(groups), 2);
      const [ok] = await db(`${p}hr_deliveries`).where({ status: "succeeded" }).count({ n: "*" });
      const [att] = await db(`${p}hr_attempts`).count({ n: "*" });
      const logged = Number(ok?.n) === events && Number(att?.n) === events;
      return {
        figures: [figure("hand-rolled.rate", "deliveries/s", "dlv/s", perSecond(events, ms))],
        checks: [
          {
            name: "every delivery succeeded with its attempt row",
            ok: logged,
            detail: `${ok?.n} succeeded, ${att?.n} attempts of ${events}`,
          },
        ],
        info: { "hand-rolled": { cpuPctOfOneCore: cpu } },
      };
    });
  },
};
