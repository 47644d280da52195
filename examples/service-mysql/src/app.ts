import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Hookline, isHooklineError } from "@hookline/core";
import { type BuyerEmitter, creditsAdded, creditsChanged, postCodesChanged } from "@hookline/events-buyer";
import type { Knex } from "knex";

interface BuyerRow {
  buyer_id: string;
  business_name: string;
  post_codes: string;
  credits: number;
}
const toBuyer = (r: BuyerRow) => ({
  buyerId: r.buyer_id,
  businessName: r.business_name,
  postCodeList: JSON.parse(r.post_codes) as string[],
  credits: Number(r.credits),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    throw new HttpError(400, "expected a JSON body");
  }
}

/** Create the buyers table the demo service owns (beside Hookline's tables, same database). */
export async function migrateBuyers(db: Knex, table: string): Promise<void> {
  if (await db.schema.hasTable(table)) return;
  await db.schema.createTable(table, (t) => {
    t.string("buyer_id", 64).primary();
    t.string("business_name", 200).notNullable();
    t.text("post_codes").notNullable();
    t.decimal("credits", 12, 2).notNullable();
  });
}

/**
 * A buyer service: every change to a buyer and its webhook commit in one transaction (the
 * transactional outbox), so a rolled-back purchase never sends a webhook and a committed one always does.
 */
export function buyerService(db: Knex, hooks: Hookline<Record<string, unknown>>, table: string) {
  const emitter = hooks as unknown as BuyerEmitter;
  const load = async (trx: Knex.Transaction, id: string) => {
    const row = await trx<BuyerRow>(table).where({ buyer_id: id }).forUpdate().first();
    if (!row) throw new HttpError(404, `expected a known buyer id, got "${id}"`);
    return toBuyer(row);
  };
  const routes: [string, RegExp, (m: RegExpMatchArray, body: Record<string, unknown>) => Promise<unknown>][] =
    [
      [
        "POST",
        /^\/buyers$/,
        async (_m, b) => {
          await db(table).insert({
            buyer_id: String(b.buyerId),
            business_name: String(b.businessName),
            post_codes: JSON.stringify(b.postCodeList ?? []),
            credits: Number(b.credits ?? 0),
          });
          return { created: b.buyerId };
        },
      ],
      [
        "POST",
        /^\/buyers\/([^/]+)\/top-ups$/,
        (m, b) =>
          db.transaction(async (trx) => {
            const buyer = await load(trx, m[1]!);
            const amount = Number(b.amount);
            await trx(table)
              .where({ buyer_id: buyer.buyerId })
              .update({ credits: buyer.credits + amount });
            const r = await creditsAdded(emitter, { buyer, topUpAmount: amount }, { trx });
            return { credits: buyer.credits + amount, eventId: r.eventId };
          }),
      ],
      [
        "POST",
        /^\/buyers\/([^/]+)\/leads$/,
        (m, b) =>
          db.transaction(async (trx) => {
            const buyer = await load(trx, m[1]!);
            const leadCost = Number(b.leadCost);
            if (buyer.credits < leadCost)
              throw new HttpError(409, `expected at least ${leadCost} credits, buyer has ${buyer.credits}`);
            const remaining = buyer.credits - leadCost;
            await trx(table).where({ buyer_id: buyer.buyerId }).update({ credits: remaining });
            const r = await creditsChanged(
              emitter,
              { buyer, previousCredits: buyer.credits, remainingCredits: remaining, leadCost },
              { trx },
            );
            if (b.failAfterEmit === true)
              throw new HttpError(500, "simulated failure after emit: the transaction rolls back");
            return { credits: remaining, eventId: r?.eventId ?? null };
          }),
      ],
      [
        "PUT",
        /^\/buyers\/([^/]+)\/post-codes$/,
        (m, b) =>
          db.transaction(async (trx) => {
            const buyer = await load(trx, m[1]!);
            const postCodeList = (b.postCodeList as string[]) ?? [];
            await trx(table)
              .where({ buyer_id: buyer.buyerId })
              .update({ post_codes: JSON.stringify(postCodeList) });
            const r = await postCodesChanged(
              emitter,
              { buyer, previousPostCodes: buyer.postCodeList, postCodeList },
              { trx },
            );
            return { postCodeList, eventId: r?.eventId ?? null };
          }),
      ],
    ];
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const route = routes.find(([method, re]) => method === req.method && re.test(req.url ?? ""));
      if (!route) return send(404, { error: `no route for ${req.method} ${req.url}` });
      send(200, await route[2]((req.url ?? "").match(route[1])!, await readJson(req)));
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, { error: err.message });
      if (isHooklineError(err, "HOOKLINE_INVALID_PAYLOAD")) return send(422, { error: err.message });
      send(500, { error: (err as Error).message });
    }
  });
}
