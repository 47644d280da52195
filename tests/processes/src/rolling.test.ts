import type { EndpointConfig } from "@hookline/core";
import { makeEvent, type TestReceiver, until } from "@hookline/core/testing";
import { describeTargets, testTargets } from "@hookline/store-knex/testing";
import { expect, it } from "vitest";
import { creditsBody, spawnWorker, statusCounts, useProcessEnv } from "./harness.js";

// A rolling deploy or two services on one log: process A configures endpoints a and b, process B
// only a. Each endpoint carries a header naming the process that sent the request.
const endpoints = (receiver: TestReceiver, proc: string, ids: string[]): EndpointConfig[] =>
  ids.map((id) => ({
    id,
    url: receiver.url(`/${id}`),
    events: "*" as const,
    signing: false,
    headers: { "x-sent-by": proc },
  }));

const servers = (await testTargets()).filter((t) => t.name !== "sqlite");

describeTargets(servers, "processes with different endpoint lists on one log", (target) => {
  const env = useProcessEnv("r", target);
  const start = (proc: string, ids: string[]) => {
    const p = spawnWorker({
      prefix: env.prefix,
      knex: target.config(),
      endpoints: endpoints(env.receiver, proc, ids),
      workerId: proc,
      batchSize: 10,
    });
    env.procs.push(p);
    return p;
  };
  const rowsOf = async (endpointId: string) =>
    (await env.tables
      .db(`${env.prefix}deliveries`)
      .where("endpoint_id", endpointId)
      .select("id", "status", "attempts", "updated_at")
      .orderBy("id")) as { id: string; status: string; attempts: number; updated_at: unknown }[];
  const sentTo = (path: string) => env.receiver.requests.filter((r) => r.path === path);

  it("B never claims b's deliveries; each is sent once by a process that knows it; none fails", async () => {
    const { receiver, tables, prefix } = env;
    receiver.on("/a", { delayMs: 5 });
    receiver.on("/b", { delayMs: 5 });
    const events = Array.from({ length: 150 }, (_, i) =>
      makeEvent({ endpoints: ["a", "b"], body: creditsBody(i) }),
    );
    for (let i = 0; i < events.length; i += 50) await tables.store.insertEvents(events.slice(i, i + 50));
    const bBefore = await rowsOf("b");

    // B alone first: it sends a's deliveries and must leave every one of b's untouched.
    const b = start("B", ["a"]);
    await b.waitFor((m) => m.some((x) => x.ready));
    await until(async () => sentTo("/a").length >= 60, {
      timeoutMs: 30_000,
      everyMs: 100,
      what: "B to send a's deliveries",
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await rowsOf("b")).toEqual(bBefore); // not claimed, not released, not failed: untouched
    expect(sentTo("/b")).toEqual([]);

    start("A", ["a", "b"]);
    await until(async () => (await statusCounts(tables.db, prefix)).succeeded === 300, {
      timeoutMs: 60_000,
      everyMs: 100,
      what: "all 300 deliveries to succeed",
    });
    expect(await statusCounts(tables.db, prefix)).toEqual({ succeeded: 300 });
    const ids = new Set(events.map((e) => e.id));
    for (const path of ["/a", "/b"]) {
      const got = sentTo(path).map((r) => r.headers["webhook-id"]);
      expect(got).toHaveLength(150); // exactly once each
      expect(new Set(got)).toEqual(ids);
    }
    expect(new Set(sentTo("/b").map((r) => r.headers["x-sent-by"]))).toEqual(new Set(["A"]));
    expect(sentTo("/a").some((r) => r.headers["x-sent-by"] === "B")).toBe(true);
    const attempts = await tables.db(`${prefix}attempts`).count({ n: "*" });
    expect(Number(attempts[0]!.n)).toBe(300);
  });

  it("after A stops, b's new deliveries stay pending and show as b's backlog", async () => {
    const { receiver, tables, prefix } = env;
    receiver.on("/a", { status: 200 });
    const a = start("A", ["a", "b"]);
    start("B", ["a"]);
    await a.waitFor((m) => m.some((x) => x.ready));
    await a.kill("SIGTERM");

    const later = Array.from({ length: 20 }, (_, i) =>
      makeEvent({ endpoints: ["a", "b"], body: creditsBody(i) }),
    );
    await tables.store.insertEvents(later);
    await until(async () => sentTo("/a").length === 20, {
      timeoutMs: 30_000,
      everyMs: 100,
      what: "B to send a's 20 deliveries",
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusCounts(tables.db, prefix)).toEqual({ succeeded: 20, pending: 20 });
    for (const row of await rowsOf("b")) expect(row).toMatchObject({ status: "pending", attempts: 0 });
    expect(sentTo("/b")).toEqual([]);

    const now = Date.now();
    const health = await tables.store.endpointHealth({
      since: new Date(now - 3_600_000),
      until: new Date(now),
    });
    expect(health.find((h) => h.endpointId === "b")).toMatchObject({ pending: 20, attemptsInRange: 0 });
    expect(health.find((h) => h.endpointId === "a")).toMatchObject({ pending: 0, attemptsInRange: 20 });
    const stats = await tables.store.stats({ since: new Date(now - 3_600_000), until: new Date(now + 1000) });
    expect(stats.find((s) => s.endpointId === "b")?.counts).toMatchObject({ pending: 20, failed: 0 });
  });
});
