import type { DeliverySummary, Page } from "@hookline/core";
import { makeEvent } from "@hookline/core/testing";
import { expect, it } from "vitest";
import { useTestEnv } from "../__fixtures__/test-env.js";
import { describeTargets, testTargets } from "../testing/databases.js";

const targets = await testTargets();

describeTargets(targets, "listDeliveries / listEvents", (target) => {
  const env = useTestEnv(target, "ls");

  it("pages through deliveries that share a creation time without gaps or repeats", async () => {
    const { store } = env();
    const at = new Date("2025-05-05T05:05:05.005Z");
    const evs = [0, 1, 2].map(() =>
      makeEvent({ createdAt: at, endpoints: ["a", "b", "c", "d", "e", "f", "g"] }),
    );
    await store.insertEvents(evs);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<DeliverySummary> = await store.listDeliveries({}, { limit: 4, cursor });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(21);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it("orders newest first by creation time, ids breaking ties", async () => {
    const { store } = env();
    // Inserted in id order, created out of it (a backfill, say).
    const older = makeEvent({ createdAt: new Date("2025-01-02T00:00:00Z") });
    const oldest = makeEvent({ createdAt: new Date("2025-01-01T00:00:00Z") });
    const newest = makeEvent({ createdAt: new Date("2025-01-03T00:00:00Z") });
    await store.insertEvents([older, oldest, newest]);
    const page = await store.listEvents({}, { limit: 10 });
    expect(page.items.map((e) => e.id)).toEqual([newest.id, older.id, oldest.id]);
  });

  it("accepts its own cursor or a bare id as cursor; rejects anything else", async () => {
    const { store } = env();
    const evs = [0, 1, 2].map((i) => makeEvent({ createdAt: new Date(Date.UTC(2025, 0, 1 + i)) }));
    await store.insertEvents(evs);
    const first = await store.listEvents({}, { limit: 1 });
    expect(first.nextCursor).toMatch(/^\d+\.evt_[0-9a-f]{32}$/);
    const viaCursor = await store.listEvents({}, { limit: 5, cursor: first.nextCursor });
    const viaId = await store.listEvents({}, { limit: 5, cursor: evs[2]!.id });
    expect(viaCursor.items.map((e) => e.id)).toEqual([evs[1]!.id, evs[0]!.id]);
    expect(viaId.items).toEqual(viaCursor.items);
    expect(viaCursor.nextCursor).toBeNull();
    await expect(store.listEvents({}, { limit: 5, cursor: "evt_unknown" })).rejects.toMatchObject({
      code: "HOOKLINE_INVALID_OPTION",
    });
  });

  it("combines every filter, with a half-open time range", async () => {
    const { store } = env();
    const t0 = Date.UTC(2025, 5, 1);
    const mk = (i: number, code: string, subject: string | null) =>
      makeEvent({ code, subject, createdAt: new Date(t0 + i * 1000), endpoints: ["x", "y"] });
    const evs = [
      mk(0, "add_credits", "s1"),
      mk(1, "add_credits", null),
      mk(2, "post_code_change", "s1"),
      mk(3, "add_credits", "s1"),
    ];
    await store.insertEvents(evs);
    // Each delivery as "<event index><endpoint>", in list order.
    const label = new Map(evs.map((e, i) => [e.id, String(i)]));
    const q = async (f: Parameters<typeof store.listDeliveries>[0]) =>
      (await store.listDeliveries(f, { limit: 100 })).items.map(
        (d) => `${label.get(d.eventId)}${d.endpointId}`,
      );
    expect(await q({ eventCode: ["add_credits"], endpointId: ["y"], subject: "s1" })).toEqual(["3y", "0y"]);
    expect(await q({ since: new Date(t0 + 1000), until: new Date(t0 + 3000) })).toEqual([
      "2y",
      "2x",
      "1y",
      "1x",
    ]);
    expect(await q({ status: ["pending"], eventId: evs[1]!.id })).toEqual(["1y", "1x"]);
    expect(await q({ status: [], endpointId: ["x"] })).toEqual([]);
    expect(
      (await store.listEvents({ eventCode: ["add_credits"], subject: "s1" }, { limit: 10 })).items.map(
        (e) => e.id,
      ),
    ).toEqual([evs[3]!.id, evs[0]!.id]);
    const withNullSubject = (await store.getEvent(evs[1]!.id))!;
    expect(withNullSubject.subject).toBeNull();
    expect(withNullSubject.deliveries.map((d) => d.subject)).toEqual([null, null]);
  });

  it("rejects malformed filters and page sizes", async () => {
    const { store } = env();
    const bad = [
      () => store.listDeliveries({ status: ["lost" as never] }, { limit: 5 }),
      () => store.listDeliveries({ endpointId: "x" as never }, { limit: 5 }),
      () => store.listDeliveries({ since: new Date("nope") }, { limit: 5 }),
      () => store.listDeliveries({}, { limit: 0 }),
      () => store.listDeliveries({}, { limit: 5000 }),
      () => store.listEvents({ subject: 7 as never }, { limit: 5 }),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: "HOOKLINE_INVALID_OPTION" });
  });
});
