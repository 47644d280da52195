import { createServer, type Server, Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of the broker, so a test can cut the path (the broker itself
 * is shared and never restarted), hold the broker's replies, or inject frames towards the client.
 */
export class TcpProxy {
  readonly #upstream: { host: string; port: number };
  readonly #pairs = new Set<{ client: Socket; server: Socket }>();
  #server: Server | undefined;
  #held = false;
  #heldChunks: { client: Socket; chunk: Buffer }[] = [];
  port = 0;
  /** Client connections accepted since the start. */
  accepted = 0;

  private constructor(upstream: { host: string; port: number }) {
    this.#upstream = upstream;
  }

  static async start(upstream: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstream);
    await proxy.restore();
    return proxy;
  }

  /** Connections currently open through the proxy. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Listen (again, on the same port once it had one). */
  async restore(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Drop every connection (and any held bytes) and stop listening: new connects are refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const { client, server: up } of this.#pairs) {
      client.destroy();
      up.destroy();
    }
    this.#pairs.clear();
    this.#heldChunks = [];
    this.#held = false;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keep the broker's bytes from the client (no confirms arrive) until release(). */
  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    for (const { client, chunk } of this.#heldChunks.splice(0)) client.write(chunk);
  }

  /** Write raw bytes to every client, as if the broker had sent them. */
  inject(bytes: Buffer): void {
    for (const { client } of this.#pairs) client.write(bytes);
  }

  async close(): Promise<void> {
    await this.cut();
  }

  #accept(client: Socket): void {
    this.accepted++;
    const server = new Socket();
    const pair = { client, server };
    this.#pairs.add(pair);
    const drop = () => {
      this.#pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", drop).on("close", drop);
    server.on("error", drop).on("close", drop);
    server.connect(this.#upstream.port, this.#upstream.host);
    client.on("data", (chunk: Buffer) => server.write(chunk));
    server.on("data", (chunk: Buffer) => {
      if (this.#held) this.#heldChunks.push({ client, chunk });
      else client.write(chunk);
    });
  }
}

/** A server that accepts connections and never says a word. */
export async function silentServer(): Promise<{
  port: number;
  accepted: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that was free a moment ago: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An AMQP 0-9-1 method frame on channel 0 (connection class 10), e.g. connection.blocked. */
export function connectionFrame(methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.concat([Buffer.from([0, 10, 0, methodId]), args]);
  const head = Buffer.alloc(7);
  head.writeUInt8(1, 0);
  head.writeUInt16BE(0, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([0xce])]);
}

/** An AMQP short string: one length byte, then the bytes. */
export function shortstr(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}
