import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";

// The BUILT core (npm test builds first), in a process of its own: the point is what keeps that
// process alive, which a test runner's own handles would hide.
const CORE = new URL("../../dist/index.js", import.meta.url).href;

// An in-memory store and an in-process transport hold no socket or pool open: the only things
// left for the event loop are Hookline's own timers. Emits from awaiting lanes wait for room in
// memory (4 + 4 places), and each send's completion lingers in a batch before it is written.
const SCRIPT = `
import { createHookline, defineEvent, definePlugin, memoryStore, generateSecret } from ${JSON.stringify(CORE)};
const ping = defineEvent({
  code: "ping",
  description: "A ping.",
  schema: { "~standard": { version: 1, vendor: "inline", validate: (value) => ({ value }) } },
});
const hooks = createHookline({
  plugins: [definePlugin({ name: "inline", events: [ping] })],
  endpoints: [{ id: "a", url: "http://127.0.0.1:9/hook", events: "*", secret: generateSecret() }],
  store: memoryStore(),
  transport: { name: "instant", send: async () => ({ kind: "success", status: 200, durationMs: 0 }) },
  worker: { maxInFlight: 4, maxQueued: 4 },
});
await hooks.start();
let succeeded = 0;
let allSucceeded;
// No polling timer: that would keep the process up by itself.
const done = new Promise((resolve) => (allSucceeded = resolve));
hooks.on("delivery.succeeded", () => {
  if (++succeeded === 400) allSucceeded();
});
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < 400) {
      next++;
      await hooks.emit("ping", { n: next });
    }
  }),
);
await done;
await hooks.stop();
console.log(JSON.stringify({ emitted: next, succeeded }));
`;

function runScript(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const argv = ["--input-type=module", "-e", SCRIPT];
    execFile(process.execPath, argv, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe("a process with nothing open but Hookline", () => {
  it("stays up until emits waiting for room and lingering completions are done, then exits 0", async () => {
    const { code, stdout, stderr } = await runScript();
    // Exit code 13 would mean Node found the event loop empty with the emits still awaited.
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ emitted: 400, succeeded: 400 });
  });
});
