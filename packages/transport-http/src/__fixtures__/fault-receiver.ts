import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";

/** One request as the receiver saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running loopback receiver. */
export interface Receiver {
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:1234 */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** Most TCP connections open at the same time. */
  readonly peakOpen: () => number;
  /** Bytes of response body written by the /huge route before the client went away. */
  readonly hugeBytesSent: () => number;
  /** Resolves when the /huge route's socket closes. */
  readonly hugeClosed: Promise<void>;
  close(): Promise<void>;
}

const HUGE_BYTES = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

// Streams lazily and honours backpressure, so the server never holds the 100 MB itself.
function streamHuge(res: ServerResponse, sent: { bytes: number }): void {
  res.writeHead(200, { "content-type": "text/plain", "content-length": String(HUGE_BYTES) });
  const pump = () => {
    while (sent.bytes < HUGE_BYTES && !res.destroyed) {
      sent.bytes += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once("drain", pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

function trickle(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { "content-type": "text/plain" });
  res.write("x");
  const timer = setInterval(() => res.write("x"), everyMs);
  res.on("close", () => clearInterval(timer));
}

function route(path: string, res: ServerResponse, base: string, huge: { bytes: number }): void {
  const [name = "", arg = ""] = path.slice(1).split("/");
  switch (name) {
    case "status":
      res.writeHead(Number(arg), { "content-type": "text/plain" });
      return void res.end(Number(arg) === 204 ? undefined : `status ${arg}`);
    case "redirect-metadata":
      res.writeHead(301, { location: "http://169.254.169.254/latest/meta-data/" });
      return void res.end();
    case "redirect-self":
      res.writeHead(302, { location: `${base}/status/200` });
      return void res.end();
    case "redirect-to":
      res.writeHead(302, { location: decodeURIComponent(arg) });
      return void res.end();
    case "retry-after":
      res.writeHead(Number(arg), { "retry-after": decodeURIComponent(path.split("/")[3] ?? "") });
      return void res.end("slow down");
    case "bytes":
      res.writeHead(200, { "content-type": "text/plain" });
      return void res.end("b".repeat(Number(arg)));
    case "delay":
      return void setTimeout(() => res.end("late"), Number(arg));
    case "hang":
      return; // never answers: headers never come
    case "trickle":
      return void trickle(res, Number(arg));
    case "huge":
      return void streamHuge(res, huge);
    case "reset":
      return void (res.socket as Socket).resetAndDestroy();
    case "close":
      return void res.socket?.destroy();
    default:
      res.writeHead(404);
      res.end("no such route");
  }
}

/** Start the fault-injecting HTTP receiver on 127.0.0.1; the path picks the fault. */
export async function startReceiver(
  onRequest?: (req: SeenRequest) => void,
  host: "127.0.0.1" | "::1" = "127.0.0.1",
): Promise<Receiver> {
  const requests: SeenRequest[] = [];
  const huge = { bytes: 0 };
  let connections = 0;
  let hugeDone!: () => void;
  const hugeClosed = new Promise<void>((r) => {
    hugeDone = r;
  });
  let base = "";
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      onRequest?.(seen);
      if (seen.path === "/huge") res.on("close", () => hugeDone());
      route(seen.path.split("?")[0] ?? "", res, base, huge);
    });
  });
  let open = 0;
  let peak = 0;
  server.on("connection", (socket: Socket) => {
    connections += 1;
    open += 1;
    peak = Math.max(peak, open);
    socket.on("close", () => {
      open -= 1;
    });
  });
  server.listen(0, host);
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  base = host === "::1" ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
  return {
    port,
    url: base,
    requests,
    connections: () => connections,
    peakOpen: () => peak,
    hugeBytesSent: () => huge.bytes,
    hugeClosed,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server | NetServer): Promise<void> {
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw TCP server on 127.0.0.1: for silence, garbage and counting connections (canary). */
export async function startRawServer(
  onSocket: (socket: Socket) => void,
  host = "127.0.0.1",
): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onSocket(socket);
  });
  server.listen(0, host);
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    close: () => {
      for (const s of sockets) s.destroy();
      return closeServer(server);
    },
  };
}
