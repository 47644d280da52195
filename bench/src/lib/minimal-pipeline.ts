import { createHmac, randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { Pool } from "undici";
import { bodyFor, EVENT_CODE, SECRET } from "./payload.js";

/**
 * The yardstick Hookline's durable path is judged against: the same job (log every event,
 * delivery and attempt in MariaDB; sign and POST each body) done by the leanest batched pipeline,
 * written apart from Hookline's code. Rows go in 100 per multi-row statement, events and
 * deliveries in one transaction; 64 POSTs are in flight on an undici Pool; results go back as
 * 100-row upserts of the deliveries plus 100-row inserts of attempts.
 */
export interface MinimalPipelineSettings {
  /** Rows per multi-row statement, and results per write-back. */
  readonly batch: number;
  /** POSTs in flight. */
  readonly inFlight: number;
  /** Insert transactions (and write-back transactions) running at once. */
  readonly writers: number;
}

export const MINIMAL_SETTINGS: MinimalPipelineSettings = Object.freeze({
  batch: 100,
  inFlight: 64,
  writers: 2,
});

const KEY = Buffer.from(SECRET.slice("whsec_".length), "base64");

/** Events, deliveries (three secondary indexes, as a log with an admin needs) and attempts. */
export async function createMinimalTables(db: Knex, p: string): Promise<void> {
  await db.schema.createTable(`${p}mp_events`, (t) => {
    t.string("id", 64).primary();
    t.string("code", 64).notNullable();
    t.text("body").notNullable();
    t.bigInteger("created_at").notNullable();
  });
  await db.schema.createTable(`${p}mp_deliveries`, (t) => {
    t.string("id", 64).primary();
    t.string("event_id", 64).notNullable();
    t.string("endpoint_id", 64).notNullable();
    t.string("status", 16).notNullable();
    t.integer("attempts").notNullable();
    t.integer("last_status").nullable();
    t.bigInteger("next_attempt_at").nullable();
    t.bigInteger("created_at").notNullable();
    t.bigInteger("updated_at").notNullable();
    t.index(["status", "next_attempt_at"], `${p}mp_dlv_due`);
    t.index(["endpoint_id", "created_at"], `${p}mp_dlv_endpoint`);
    t.index(["event_id"], `${p}mp_dlv_event`);
  });
  await db.schema.createTable(`${p}mp_attempts`, (t) => {
    t.string("id", 64).primary();
    t.string("delivery_id", 64).notNullable();
    t.integer("response_status").nullable();
    t.integer("duration_ms").notNullable();
    t.bigInteger("started_at").notNullable();
  });
}

interface Pending {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly body: string;
  readonly createdAt: number;
}

interface Result extends Pending {
  readonly status: number;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** Run `n` events through the pipeline; resolves once every result is written back. */
export async function runMinimalPipeline(
  db: Knex,
  p: string,
  url: string,
  n: number,
  s: MinimalPipelineSettings = MINIMAL_SETTINGS,
): Promise<void> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: s.inFlight, pipelining: 1 });
  const toSend: Pending[] = [];
  const results: Result[] = [];
  let produced = 0;
  let sent = 0;
  const idle: (() => void)[] = [];
  const wakeAll = () => {
    for (const wake of idle.splice(0)) wake();
  };
  const writes = new Set<Promise<void>>();

  const insertChunk = async (from: number, count: number) => {
    const now = Date.now();
    const chunk: Pending[] = Array.from({ length: count }, (_, k) => ({
      eventId: `evt_${randomUUID()}`,
      deliveryId: `dlv_${randomUUID()}`,
      body: bodyFor(from + k),
      createdAt: now,
    }));
    await db.transaction(async (trx) => {
      await trx(`${p}mp_events`).insert(
        chunk.map((c) => ({ id: c.eventId, code: EVENT_CODE, body: c.body, created_at: c.createdAt })),
      );
      await trx(`${p}mp_deliveries`).insert(
        chunk.map((c) => ({
          id: c.deliveryId,
          event_id: c.eventId,
          endpoint_id: "bench",
          status: "sending",
          attempts: 0,
          next_attempt_at: c.createdAt,
          created_at: c.createdAt,
          updated_at: c.createdAt,
        })),
      );
    });
    toSend.push(...chunk);
    wakeAll();
  };

  const writeBack = async (batch: Result[]) => {
    const now = Date.now();
    await db.transaction(async (trx) => {
      await trx(`${p}mp_deliveries`)
        .insert(
          batch.map((r) => ({
            id: r.deliveryId,
            event_id: r.eventId,
            endpoint_id: "bench",
            status: r.status < 300 ? "succeeded" : "pending",
            attempts: 1,
            last_status: r.status,
            next_attempt_at: null,
            created_at: r.createdAt,
            updated_at: now,
          })),
        )
        .onConflict("id")
        .merge(["status", "attempts", "last_status", "next_attempt_at", "updated_at"]);
      await trx(`${p}mp_attempts`).insert(
        batch.map((r) => ({
          id: `att_${randomUUID()}`,
          delivery_id: r.deliveryId,
          response_status: r.status,
          duration_ms: r.durationMs,
          started_at: r.startedAt,
        })),
      );
    });
  };

  /** Write back full batches (all that is left at the end), `writers` transactions at a time. */
  const flush = async (final: boolean) => {
    while (results.length >= s.batch || (final && results.length > 0)) {
      // Another sender may take the batch while this one waits for a writer: check again.
      if (writes.size >= s.writers) {
        await Promise.race(writes);
        continue;
      }
      const w = writeBack(results.splice(0, s.batch)).finally(() => writes.delete(w));
      writes.add(w);
    }
  };

  const post = async (d: Pending) => {
    const startedAt = Date.now();
    const ts = Math.floor(startedAt / 1000);
    const sig = createHmac("sha256", KEY).update(`${d.eventId}.${ts}.${d.body}`).digest("base64");
    const res = await pool.request({
      path: target.pathname,
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": d.eventId,
        "webhook-timestamp": String(ts),
        "webhook-signature": `v1,${sig}`,
      },
      body: d.body,
    });
    await res.body.text();
    results.push({ ...d, status: res.statusCode, startedAt, durationMs: Date.now() - startedAt });
    await flush(false);
  };

  const sender = async () => {
    while (sent < n) {
      const d = toSend.shift();
      if (d) {
        // The last one taken: senders still waiting for work have none left to wait for.
        if (++sent === n) wakeAll();
        await post(d);
      } else await new Promise<void>((r) => idle.push(r));
    }
  };

  const producer = async () => {
    while (produced < n) {
      // Bounded, as any pipeline must be: at most a few batches wait to be sent.
      if (toSend.length >= s.batch * s.writers * 4) {
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      const count = Math.min(s.batch, n - produced);
      const from = produced;
      produced += count;
      await insertChunk(from, count);
    }
  };

  try {
    await Promise.all([
      ...Array.from({ length: s.writers }, producer),
      ...Array.from({ length: s.inFlight }, sender),
    ]);
    await flush(true);
    await Promise.all(writes);
  } finally {
    await pool.close();
  }
}
