import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveryOutcome, Transport } from "@hookline/core";
import { makeRequest } from "@hookline/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { natsTransport } from "../nats-transport.js";
import { describeNats, freePort, NATS_SERVER, StreamAdmin, type TestStream } from "./nats-harness.js";
import { TcpProxy } from "./tcp-proxy.js";

const signal = () => new AbortController().signal;
const PASSWORD = "s3cret-Pw";
const SLEEP = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Send until `done(outcome)`, at most `tries` times, 50 ms apart; returns the last outcome. */
async function sendUntil(t: Transport, url: string, done: (o: DeliveryOutcome) => boolean, tries = 100) {
  let out = await t.send(makeRequest(url), { signal: signal() });
  for (let i = 1; i < tries && !done(out); i++) {
    await SLEEP(50);
    out = await t.send(makeRequest(url), { signal: signal() });
  }
  return out;
}

await describeNats("natsTransport: faults on the path to the server", () => {
  let admin: StreamAdmin;
  let stream: TestStream;
  let proxy: TcpProxy;
  let transport: Transport;
  // Credentials the server ignores (it runs without auth): they must still never show.
  const url = () => proxy.url(stream.subject).replace("nats://", `nats://hook:${PASSWORD}@`);
  beforeAll(async () => {
    admin = await StreamAdmin.open();
    stream = await admin.stream("faults");
  });
  afterAll(async () => {
    await stream?.delete();
    await admin?.close();
  });
  beforeEach(async () => {
    proxy = new TcpProxy(NATS_SERVER);
    await proxy.listen();
    transport = natsTransport({ timeoutMs: 2_000, reconnectTimeWaitMs: 50, maxReconnectAttempts: 100 });
  });
  afterEach(async () => {
    proxy.stalled = false;
    await transport.close?.();
    await proxy.stop();
  });

  it("answers HOOKLINE_CONNECTION_REFUSED while the server is unreachable at start, then delivers", async () => {
    await proxy.stop();
    const refused = await transport.send(makeRequest(url()), { signal: signal() });
    expect(refused).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_REFUSED" } });
    expect(JSON.stringify(refused)).not.toContain(PASSWORD);
    await proxy.listen();
    const ok = await transport.send(makeRequest(url()), { signal: signal() });
    expect(ok.kind, JSON.stringify(ok.error)).toBe("success");
  });

  it("cut mid-run: the publish in flight is HOOKLINE_CONNECTION_RESET, later ones HOOKLINE_NATS_DISCONNECTED at once, and delivery resumes on reconnect", async () => {
    expect((await transport.send(makeRequest(url()), { signal: signal() })).kind).toBe("success");
    proxy.stalled = true;
    const inFlight = transport.send(makeRequest(url()), { signal: signal() });
    await SLEEP(100);
    await proxy.stop();
    const lost = await inFlight;
    expect(lost).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_CONNECTION_RESET" } });
    expect(lost.durationMs).toBeLessThan(1_500);
    const down = await transport.send(makeRequest(url()), { signal: signal() });
    expect(down).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NATS_DISCONNECTED" } });
    // Refused unsent, not parked in the client's reconnect buffer until the deadline.
    expect(down.durationMs).toBeLessThan(100);
    expect(JSON.stringify([lost, down])).not.toContain(PASSWORD);
    proxy.stalled = false;
    await proxy.listen();
    const back = await sendUntil(transport, url(), (o) => o.error?.code !== "HOOKLINE_NATS_DISCONNECTED");
    expect(back.kind, JSON.stringify(back.error)).toBe("success");
  });

  it("once the client gives up reconnecting, the next send dials again", async () => {
    const own = natsTransport({ timeoutMs: 2_000, reconnectTimeWaitMs: 20, maxReconnectAttempts: 2 });
    try {
      expect((await own.send(makeRequest(url()), { signal: signal() })).kind).toBe("success");
      await proxy.stop();
      const refused = await sendUntil(own, url(), (o) => o.error?.code === "HOOKLINE_CONNECTION_REFUSED");
      expect(refused.error?.code).toBe("HOOKLINE_CONNECTION_REFUSED");
      await proxy.listen();
      expect((await own.send(makeRequest(url()), { signal: signal() })).kind).toBe("success");
    } finally {
      await own.close?.();
    }
  });

  it("turns a missing acknowledgement into HOOKLINE_TIMEOUT at the request's deadline, else at the option's", async () => {
    const own = natsTransport({ timeoutMs: 250 });
    try {
      expect((await own.send(makeRequest(url(), { timeoutMs: 5_000 }), { signal: signal() })).kind).toBe(
        "success",
      );
      proxy.stalled = true;
      const t0 = Date.now();
      const byRequest = await own.send(makeRequest(url(), { timeoutMs: 600 }), { signal: signal() });
      expect(byRequest).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
      const t1 = Date.now();
      const byOption = await own.send(makeRequest(url()), { signal: signal() });
      expect(byOption).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_TIMEOUT" } });
      expect(Date.now() - t1).toBeLessThan(550);
    } finally {
      await own.close?.();
    }
  });

  it("bounds publishes awaiting acknowledgement: one more is refused at once with HOOKLINE_NATS_BACKPRESSURE", async () => {
    const own = natsTransport({ timeoutMs: 600, maxInFlightPerServer: 2 });
    try {
      expect((await own.send(makeRequest(url()), { signal: signal() })).kind).toBe("success");
      proxy.stalled = true;
      const held = [1, 2].map(() => own.send(makeRequest(url()), { signal: signal() }));
      await SLEEP(50);
      const refused = await own.send(makeRequest(url()), { signal: signal() });
      expect(refused).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NATS_BACKPRESSURE" } });
      expect(refused.durationMs).toBeLessThan(100);
      for (const out of await Promise.all(held)) expect(out.error?.code).toBe("HOOKLINE_TIMEOUT");
      // Their slots come back once the client settles them: the next one waits, it is not refused.
      await SLEEP(100);
      const next = await own.send(makeRequest(url()), { signal: signal() });
      expect(next.error?.code).toBe("HOOKLINE_TIMEOUT");
    } finally {
      await own.close?.();
    }
  });

  it("close() lets the attempt in flight finish, is idempotent, and a later send resolves HOOKLINE_ABORTED", async () => {
    expect((await transport.send(makeRequest(url()), { signal: signal() })).kind).toBe("success");
    proxy.stalled = true;
    const pending = transport.send(makeRequest(url(), { timeoutMs: 400 }), { signal: signal() });
    await SLEEP(20);
    let outcomeFirst = false;
    void pending.then(() => {
      outcomeFirst = true;
    });
    await Promise.all([transport.close?.(), transport.close?.()]);
    expect(outcomeFirst).toBe(true);
    expect((await pending).error?.code).toBe("HOOKLINE_TIMEOUT");
    const after = await transport.send(makeRequest(url()), { signal: signal() });
    expect(after).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_ABORTED" } });
  });
});

const NATS_SERVER_BIN = process.env.HOOKLINE_TEST_NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

// A private server with a password, started and stopped by this test: the shared one has no auth.
(existsSync(NATS_SERVER_BIN) || process.env.CI ? describe : describe.skip)(
  "natsTransport: a server that refuses the login",
  () => {
    let child: ReturnType<typeof spawn> | undefined;
    let port = 0;
    const dir = mkdtempSync(join(tmpdir(), "hookline-nats-auth-"));
    beforeAll(async () => {
      port = await freePort();
      child = spawn(
        NATS_SERVER_BIN,
        ["-a", "127.0.0.1", "-p", String(port), "--user", "hook", "--pass", "right-pw", "-js", "-sd", dir],
        { stdio: "ignore" },
      );
      for (let i = 0; i < 100; i++) {
        if (await canConnect(port)) return;
        await SLEEP(50);
      }
      throw new Error(`${NATS_SERVER_BIN} did not listen on 127.0.0.1:${port}`);
    });
    afterAll(() => {
      child?.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    });

    it("answers a wrong password with HOOKLINE_NATS_AUTHORIZATION, never quoting it", async () => {
      const t = natsTransport({ timeoutMs: 3_000 });
      try {
        const out = await t.send(makeRequest(`nats://hook:${PASSWORD}@127.0.0.1:${port}/hlt.auth`), {
          signal: signal(),
        });
        expect(out).toMatchObject({ kind: "retryable", error: { code: "HOOKLINE_NATS_AUTHORIZATION" } });
        expect(JSON.stringify(out)).not.toContain(PASSWORD);
        const right = await t.send(makeRequest(`nats://hook:right-pw@127.0.0.1:${port}/hlt.auth`), {
          signal: signal(),
        });
        expect(right.error?.code).toBe("HOOKLINE_NATS_NO_STREAM");
      } finally {
        await t.close?.();
      }
    });
  },
);

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
