import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { DeliveryRequest } from "@hookline/core";
import type { SinkDestination, SinkProbe } from "@hookline/core/testing";
import { type JetStreamManager, jetstreamManager, type StoredMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describe, it } from "vitest";
import { TcpProxy } from "./tcp-proxy.js";

/**
 * The NATS server (with JetStream) the tests use. With CI set an unreachable server fails the
 * run; without CI its suites are skipped under a name that says why.
 */
export const NATS_URL = process.env.HOOKLINE_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const parsed = new URL(NATS_URL);
export const NATS_SERVER = { host: parsed.hostname, port: Number(parsed.port || 4222) };

async function probe(): Promise<string | undefined> {
  try {
    const nc = await connect({ servers: `${NATS_SERVER.host}:${NATS_SERVER.port}`, timeout: 3000 });
    try {
      await jetstreamManager(nc);
    } finally {
      await nc.close();
    }
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

let probed: Promise<string | undefined> | undefined;

/** `describe` that runs, fails (CI set, server unreachable) or skips with the reason in its name. */
export async function describeNats(title: string, body: () => void): Promise<void> {
  probed ??= probe();
  const reason = await probed;
  if (reason === undefined) describe(title, body);
  else if (process.env.CI)
    describe(title, () => {
      it(`reaches NATS at ${NATS_URL} (required because CI is set)`, () => {
        throw new Error(`NATS is unreachable: ${reason}`);
      });
    });
  else describe.skip(`${title} — skipped: NATS unreachable at ${NATS_URL}: ${reason}`, body);
}

/** A stream with a unique name on the shared server, and a reader for what it stored. */
export interface TestStream {
  readonly name: string;
  /** A subject the stream captures. */
  readonly subject: string;
  /** Every stored message, oldest first. */
  messages(): Promise<StoredMsg[]>;
  delete(): Promise<void>;
}

/** An admin connection that creates and deletes the tests' streams. */
export class StreamAdmin {
  readonly #nc: NatsConnection;
  readonly #jsm: JetStreamManager;

  private constructor(nc: NatsConnection, jsm: JetStreamManager) {
    this.#nc = nc;
    this.#jsm = jsm;
  }

  static async open(): Promise<StreamAdmin> {
    const nc = await connect({ servers: `${NATS_SERVER.host}:${NATS_SERVER.port}` });
    return new StreamAdmin(nc, await jetstreamManager(nc));
  }

  /** The server's max_payload (body and headers of one message). */
  get maxPayload(): number {
    return this.#nc.info?.max_payload ?? 0;
  }

  /** A subject no stream captures. */
  static unboundSubject(): string {
    return `hlt_nostream.${randomBytes(4).toString("hex")}`;
  }

  async stream(tag: string): Promise<TestStream> {
    const id = randomBytes(4).toString("hex");
    const name = `HLT_${tag.toUpperCase()}_${id}`;
    const prefix = `hlt.${tag}.${id}`;
    const jsm = this.#jsm;
    await jsm.streams.add({ name, subjects: [`${prefix}.>`] });
    return {
      name,
      subject: `${prefix}.events`,
      async messages() {
        const { state } = await jsm.streams.info(name);
        const out: StoredMsg[] = [];
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
          const msg = await jsm.streams.getMessage(name, { seq });
          if (msg !== null) out.push(msg);
        }
        return out;
      },
      async delete() {
        await jsm.streams.delete(name).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.#nc.close();
  }
}

/** A stored message's headers as a lower-case record (the client's own Nats-* included). */
export function headersOf(msg: StoredMsg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of msg.header?.keys() ?? []) out[key.toLowerCase()] = msg.header?.get(key) ?? "";
  return out;
}

/** The same delivery, attempted again (a retry): same ids, next attempt number. */
export function retryOf(req: DeliveryRequest): DeliveryRequest {
  return { ...req, attempt: req.attempt + 1 };
}

/** A loopback port where nothing listens (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the sink conformance suite drives: streams on the shared server, read back by sequence. */
export async function natsProbe(): Promise<SinkProbe> {
  const admin = await StreamAdmin.open();
  const unreachable = await freePort();
  return {
    async destination(): Promise<SinkDestination> {
      const stream = await admin.stream("conf");
      return {
        url: `nats://${NATS_SERVER.host}:${NATS_SERVER.port}/${stream.subject}`,
        async received(eventId, opts) {
          const until = Date.now() + (opts?.timeoutMs ?? 5_000);
          for (;;) {
            const hit = (await stream.messages()).find((m) => headersOf(m)["webhook-id"] === eventId);
            if (hit) return { body: hit.string(), headers: headersOf(hit) };
            if (Date.now() > until)
              throw new Error(`no message with webhook-id ${eventId} in ${stream.name}`);
            await sleep(50);
          }
        },
        cleanup: () => stream.delete(),
      };
    },
    async stalled() {
      const proxy = new TcpProxy(NATS_SERVER);
      await proxy.listen();
      proxy.stalled = true;
      return { url: proxy.url(`hlt.stalled.${randomBytes(4).toString("hex")}`), cleanup: () => proxy.stop() };
    },
    unreachableUrl: () => `nats://127.0.0.1:${unreachable}/hlt.unreachable`,
    close: () => admin.close(),
  };
}
