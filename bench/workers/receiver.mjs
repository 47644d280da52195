// The benchmark's webhook receiver, in its own process so it does not share the dispatcher's
// event loop. Controlled over IPC: { delayMs } to slow it down, { down: true|false } to refuse
// connections (server closed) or accept them again, "count" to report requests seen.
// Started by lib/receiver.ts as `receiver.mjs [--delay-ms=N]` (answer every request after N ms).
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { "delay-ms": { type: "string", default: "0" } }, strict: true });
let delayMs = Number(values["delay-ms"]);
if (!Number.isFinite(delayMs) || delayMs < 0)
  throw new Error(`--delay-ms: not a duration: ${values["delay-ms"]}`);
let count = 0;
const reply = Buffer.from('{"ok":true}');
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    count++;
    const answer = () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": reply.length });
      res.end(reply);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 30_000;
let port = 0;
const listen = () =>
  new Promise((r) =>
    server.listen(port, "127.0.0.1", () => {
      port = server.address().port;
      r();
    }),
  );
await listen();
process.send({ ready: true, port });
process.on("message", async (m) => {
  if (m === "count") return process.send({ count });
  if (m === "reset") {
    count = 0;
    return process.send({ reset: true });
  }
  if (typeof m.delayMs === "number") {
    delayMs = m.delayMs;
    return process.send({ delayMs });
  }
  if (m.down === true) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    return process.send({ down: true });
  }
  if (m.down === false) {
    await listen();
    return process.send({ down: false });
  }
});
process.on("disconnect", () => process.exit(0));
