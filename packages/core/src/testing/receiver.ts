import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the receiver saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly receivedAt: Date;
}

/** A scripted reply. */
export interface ReceiverReply {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default "ok" */
  readonly body?: string;
  /** Wait this long before answering (a slow receiver). */
  readonly delayMs?: number;
}

/** A fixed reply, a sequence (the last one repeats), or a function of the request and its index. */
export type ReceiverScript =
  | ReceiverReply
  | readonly ReceiverReply[]
  | ((req: ReceivedRequest, index: number) => ReceiverReply | Promise<ReceiverReply>);

/** A scriptable webhook receiver that records every request. */
export interface TestReceiver {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
  /** `baseUrl + path`. */
  url(path?: string): string;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  /** Script the replies for `path` (exact match; default: 200 "ok"). */
  on(path: string, script: ReceiverScript): void;
  /** Resolve once at least `n` requests arrived (optionally on `path`), or reject after `timeoutMs`. */
  waitFor(n: number, opts?: { path?: string; timeoutMs?: number }): Promise<ReceivedRequest[]>;
  /** Answer a request without a socket (used by the memory transport). */
  handle(req: Omit<ReceivedRequest, "receivedAt">): Promise<Required<Omit<ReceiverReply, "delayMs">>>;
  /** Stop listening. */
  close(): Promise<void>;
}

function createScriptedReceiver(baseUrl: string, close: () => Promise<void>): TestReceiver {
  const scripts = new Map<string, ReceiverScript>();
  const counts = new Map<string, number>();
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const receiver: TestReceiver = {
    baseUrl,
    requests,
    url: (path = "/") => baseUrl + path,
    on: (path, script) => {
      scripts.set(path, script);
      counts.set(path, 0);
    },
    waitFor(n, opts = {}) {
      const matching = () => requests.filter((r) => opts.path === undefined || r.path === opts.path);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (matching().length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `receiver: expected ${n} requests${opts.path ? ` on ${opts.path}` : ""}, got ${matching().length}`,
            ),
          );
        }, opts.timeoutMs ?? 10_000);
        waiters.add(check);
        check();
      });
    },
    async handle(req) {
      const full = { ...req, receivedAt: new Date() };
      requests.push(full);
      const index = counts.get(req.path) ?? 0;
      counts.set(req.path, index + 1);
      for (const w of [...waiters]) w();
      const script = scripts.get(req.path) ?? {};
      const reply: ReceiverReply =
        typeof script === "function"
          ? await script(full, index)
          : Array.isArray(script)
            ? (script[Math.min(index, script.length - 1)] ?? {})
            : (script as ReceiverReply);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      return { status: reply.status ?? 200, headers: reply.headers ?? {}, body: reply.body ?? "ok" };
    },
    close,
  };
  return receiver;
}

/** An in-process receiver for the memory transport (base URL `http://receiver.test`). */
export function memoryReceiver(): TestReceiver {
  return createScriptedReceiver("http://receiver.test", async () => {});
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A real HTTP receiver on 127.0.0.1 (random port), scripted like memoryReceiver. */
export async function startHttpReceiver(): Promise<TestReceiver> {
  let inner: TestReceiver | undefined;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    const body = await readBody(req);
    const reply = await inner!.handle({ method: req.method ?? "GET", path: req.url ?? "/", headers, body });
    if (res.destroyed) return;
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  inner = createScriptedReceiver(`http://127.0.0.1:${port}`, () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return inner;
}
