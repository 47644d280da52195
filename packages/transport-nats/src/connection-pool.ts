import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { NatsTarget } from "./nats-url.js";
import type { ResolvedNatsOptions } from "./options.js";

/** One live connection to one server with one set of credentials. */
export class Connection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** "reconnecting" while the client dials again after a lost connection; "closed" once it gave up. */
  state: "connected" | "reconnecting" | "closed" = "connected";
  /** Publishes sent and not yet settled by the client (acknowledged, refused or timed out). */
  inFlight = 0;
  readonly #onDrop = new Set<() => void>();

  constructor(nc: NatsConnection, publishTimeoutMs: number) {
    this.nc = nc;
    this.js = jetstream(nc, { timeout: publishTimeoutMs });
    void this.#watch();
  }

  async #watch(): Promise<void> {
    const closed = this.nc.closed().then(() => {
      this.state = "closed";
      this.#drop();
    });
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") {
        this.state = "reconnecting";
        this.#drop();
      } else if (s.type === "reconnect") this.state = "connected";
    }
    await closed;
  }

  #drop(): void {
    for (const listener of [...this.#onDrop]) listener();
  }

  /** Call `listener` when the connection is lost; returns the unsubscribe. */
  onDrop(listener: () => void): () => void {
    this.#onDrop.add(listener);
    return () => this.#onDrop.delete(listener);
  }

  /**
   * Count a publish until the client settles it, even after its attempt has given up waiting:
   * its bytes may still sit in the client's buffer, and those are what the bound is for.
   */
  track<T>(publish: Promise<T>): Promise<T> {
    this.inFlight++;
    const release = () => {
      this.inFlight--;
    };
    publish.then(release, release);
    return publish;
  }

  /**
   * Drain (flush, then close) for at most `graceMs`: a server that stopped answering would hold
   * a drain forever. Publishes whose attempts already gave up are not waited for.
   */
  async close(graceMs: number): Promise<void> {
    if (this.state === "connected") {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.nc.drain().catch(() => undefined), grace]);
      clearTimeout(timer);
    }
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
  }
}

/**
 * One connection per server and credentials, opened on first use. The client reconnects on its
 * own, a bounded number of times; a connection it gave up on, or one that failed to open, is
 * forgotten, so the next send dials again.
 */
export class ConnectionPool {
  readonly #opts: ResolvedNatsOptions;
  readonly #connections = new Map<string, Promise<Connection>>();

  constructor(opts: ResolvedNatsOptions) {
    this.#opts = opts;
  }

  /** The target's connection, opening it if needed; rejects with the client's connect error. */
  get(target: NatsTarget): Promise<Connection> {
    const key = target.connectionKey;
    let pending = this.#connections.get(key);
    if (pending === undefined) {
      pending = this.#open(target);
      this.#connections.set(key, pending);
      const forget = () => {
        if (this.#connections.get(key) === pending) this.#connections.delete(key);
      };
      pending.then((c) => c.nc.closed().then(forget), forget);
    }
    return pending;
  }

  async #open(target: NatsTarget): Promise<Connection> {
    const o = this.#opts;
    const nc = await connect({
      servers: target.server,
      ...(target.user === undefined ? {} : { user: target.user, pass: target.pass }),
      ...(target.token === undefined ? {} : { token: target.token }),
      name: o.clientName,
      timeout: o.connectTimeoutMs,
      reconnect: o.maxReconnectAttempts > 0,
      maxReconnectAttempts: o.maxReconnectAttempts,
      reconnectTimeWait: o.reconnectTimeWaitMs,
      // The server's gossip of other cluster members must not widen where a URL publishes.
      ignoreClusterUpdates: true,
      noAsyncTraces: true,
    });
    return new Connection(nc, o.timeoutMs);
  }

  /** Close every connection. */
  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (c) => c.close(this.#opts.timeoutMs),
          () => undefined,
        ),
      ),
    );
  }
}
