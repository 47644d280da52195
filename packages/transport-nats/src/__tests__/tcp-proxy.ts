import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A loopback TCP proxy in front of the NATS server, so a test can cut the path, stall it or lose
 * an acknowledgement without touching the shared server.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  #server: Server | undefined;
  #port = 0;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket }>();
  /** While true, bytes from the client are dropped: the server never sees the publish. */
  stalled = false;
  #cutOnPublish = false;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  get port(): number {
    return this.#port;
  }

  /** `nats://127.0.0.1:<proxy port>/<subject>` */
  url(subject: string): string {
    return `nats://127.0.0.1:${this.#port}/${subject}`;
  }

  /** Accept connections (on the same port as before, after a stop()). */
  async listen(): Promise<void> {
    const server = createServer((client) => this.#pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, "127.0.0.1", () => resolve());
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** Stop accepting and cut every open connection: the server is now unreachable. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.cutAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cut every open connection; new ones are still accepted. */
  cutAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /**
   * The next publish reaches the server, then the connection is cut before any answer comes
   * back: the stream stores the message and the publisher never sees the acknowledgement.
   */
  loseNextAck(): void {
    this.#cutOnPublish = true;
  }

  #pipe(client: Socket): void {
    const upstream = tcpConnect(this.#target.port, this.#target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    let lost = false;
    client.on("data", (chunk: Buffer) => {
      // Dropped, not queued: a stalled proxy stays stalled for the connections it carries.
      if (this.stalled) return;
      if (this.#cutOnPublish && /^H?PUB /m.test(chunk.toString("latin1"))) {
        this.#cutOnPublish = false;
        this.#pairs.delete(pair);
        lost = true;
        // A half-close lets the server read the publish; a reset could discard it unread.
        upstream.end(chunk);
        client.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const close = () => {
      this.#pairs.delete(pair);
      client.destroy();
      if (!lost) upstream.destroy();
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  }
}
