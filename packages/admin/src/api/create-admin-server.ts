import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DeliveryStore } from "@hookline/core";
import { invalidOption } from "../errors.js";
import { handlerFor } from "./admin-api.js";
import { checkLoopbackHost, checkResolvedLoopback } from "./loopback.js";
import { type AdminApiOptions, checkStore, resolveApiOptions } from "./options.js";

/** Options of createAdminServer(). */
export interface AdminServerOptions extends AdminApiOptions {
  /** The delivery log to show and act on. The caller owns it (close() leaves it open). */
  readonly store: DeliveryStore;
  /** Address to bind. @default "127.0.0.1" */
  readonly host?: string;
  /** Port to bind; 0 picks a free one. @default 4400 */
  readonly port?: number;
}

/** A running (or ready) admin server. */
export interface AdminServer {
  /** Start listening; resolves with the base URL, e.g. http://127.0.0.1:4400. */
  listen(): Promise<string>;
  /** Stop accepting and drop open connections. */
  close(): Promise<void>;
  /** The base URL once listening, else null. */
  readonly url: string | null;
}

/**
 * The admin API and dashboard on node:http. Without a token it refuses to exist unless bound to
 * loopback with `auth: false` (the CLI's `--no-auth`).
 */
export function createAdminServer(opts: AdminServerOptions): AdminServer {
  if (typeof opts !== "object" || opts === null) throw invalidOption("options", "an object", opts);
  const { store, host = "127.0.0.1", port = 4400, ...apiOpts } = opts;
  if (typeof host !== "string" || host === "") throw invalidOption("host", "an address to bind", host);
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw invalidOption("port", "an integer from 0 to 65535", port);
  if (apiOpts.auth === false) checkLoopbackHost(host);
  const options = resolveApiOptions(apiOpts, ["store", "host", "port"], "createAdminServer options");
  const handler = handlerFor(checkStore(store), options);
  let server: Server | undefined;
  let url: string | null = null;
  return {
    get url() {
      return url;
    },
    async listen() {
      if (url) return url;
      if (apiOpts.auth === false) await checkResolvedLoopback(host);
      server = createServer((req, res) => void handler(req, res));
      // Slowloris-style clients must not pin sockets forever.
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(port, host, () => {
          s.off("error", reject);
          resolve();
        });
      });
      const addr = s.address() as AddressInfo;
      url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
      return url;
    },
    async close() {
      const s = server;
      server = undefined;
      url = null;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
