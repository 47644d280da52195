import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@hookline/core";

/** What the demo receiver saw: one line per request. */
export interface Received {
  readonly path: string;
  readonly body: string;
  readonly verified: boolean;
  readonly answered: number;
}

/**
 * A stand-in for your customers' receivers, on 127.0.0.1: it verifies each signature with
 * core's verify() and answers 200, except that /billing/top-ups answers its first request with
 * a 503 (Retry-After: 1) to show a retry.
 */
export async function startDemoReceiver(secrets: Record<string, string>): Promise<{
  origin: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let billingCalls = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      let verified = false;
      try {
        verify({ body, headers: req.headers, secret: secrets[path] ?? "" });
        verified = true;
      } catch {}
      const fail = path === "/billing/top-ups" && billingCalls++ === 0;
      const answered = !verified ? 401 : fail ? 503 : 200;
      received.push({ path, body, verified, answered });
      res.writeHead(answered, {
        "content-type": "application/json",
        ...(fail ? { "retry-after": "1" } : {}),
      });
      res.end(
        JSON.stringify(
          answered === 200 ? { received: true } : { error: fail ? "warming up" : "bad signature" },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
