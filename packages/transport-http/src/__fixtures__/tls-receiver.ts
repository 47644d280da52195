import { createServer, type ServerOptions } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

/** What an HTTPS test receiver saw of one request. */
export interface TlsSeen {
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client certificate's subject CN, when the client presented one. */
  readonly clientCn: string | undefined;
  /** The SNI name the client sent, if any. */
  readonly servername: string | undefined;
}

export interface TlsReceiver {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: TlsSeen[];
  /** TLS handshakes the server refused (e.g. no or a foreign client certificate). */
  readonly refusedHandshakes: number;
  /** TLS handshakes that completed. */
  readonly handshakes: number;
  /** TCP connections open right now. */
  readonly openConnections: number;
  close(): Promise<void>;
}

/**
 * An HTTPS receiver on 127.0.0.1 answering 200 to everything, after `delayMs`; `options` set its
 * TLS side.
 */
export async function startTlsReceiver(options: ServerOptions, delayMs = 0): Promise<TlsReceiver> {
  const requests: TlsSeen[] = [];
  let refusedHandshakes = 0;
  let handshakes = 0;
  let openConnections = 0;
  const server = createServer(options, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      const cn = peer && typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined;
      const sni = (socket as TLSSocket & { servername?: string | false }).servername;
      requests.push({
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
        clientCn: cn,
        servername: typeof sni === "string" ? sni : undefined,
      });
      setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("ok"), delayMs);
    });
  });
  server.on("tlsClientError", () => {
    refusedHandshakes++;
  });
  server.on("secureConnection", () => {
    handshakes++;
  });
  server.on("connection", (socket) => {
    openConnections++;
    socket.on("close", () => openConnections--);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get refusedHandshakes() {
      return refusedHandshakes;
    },
    get handshakes() {
      return handshakes;
    },
    get openConnections() {
      return openConnections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
