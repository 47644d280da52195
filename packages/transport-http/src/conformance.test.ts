import { createServer } from "node:net";
import { startHttpReceiver, transportConformance } from "@hookline/core/testing";
import { LOOPBACK_ALLOW } from "./__fixtures__/requests.js";
import { httpTransport } from "./http-transport.js";

// A loopback port that was free a moment ago: connecting to it is refused.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const deadPort = await closedPort();

transportConformance("httpTransport", {
  receiver: startHttpReceiver,
  create: (_receiver, settings) =>
    httpTransport({
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      ssrf: LOOPBACK_ALLOW,
    }),
  unreachableUrl: () => `http://127.0.0.1:${deadPort}/`,
});
