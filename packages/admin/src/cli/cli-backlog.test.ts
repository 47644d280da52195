import { makeEvent } from "@hookline/core/testing";
import { describe, expect, it } from "vitest";
import { useCliEnv } from "../__fixtures__/cli-env.js";

const env = useCliEnv(1);

describe("deliveries of an endpoint no running process configures", () => {
  it("stay pending, and `endpoints` and `stats` show them as a backlog not in config", async () => {
    const oldest = new Date(Date.now() - 90 * 60_000);
    const queued = [
      makeEvent({ code: "add_credits", endpoints: ["legacy"], createdAt: oldest }),
      makeEvent({ code: "add_credits", endpoints: ["legacy"] }),
    ];
    await env().store.insertEvents(queued);
    // The running service polls every 50 ms and configures crm, billing and alerts only.
    await new Promise((r) => setTimeout(r, 500));
    for (const ev of queued)
      expect(await env().store.getDelivery(ev.deliveries[0]!.id)).toMatchObject({
        status: "pending",
        attempts: 0,
        attemptLog: [],
      });

    const views = JSON.parse((await env().run(["endpoints", "--json"])).stdout);
    const legacy = views.find((v: { id: string }) => v.id === "legacy");
    expect(legacy).toMatchObject({
      configured: false,
      url: null,
      state: "idle",
      health: { pending: 2, oldestPendingAt: oldest.toISOString(), attemptsInRange: 0 },
    });
    // Configured endpoints carry their (empty) backlog too.
    expect(views.find((v: { id: string }) => v.id === "crm").health).toMatchObject({ pending: 0 });

    // No worker claims them: both are due, since they were stored (not since the older one's creation).
    const dueAt = new Date(legacy.oldestDueAt);
    expect(legacy.due).toBe(2);
    expect(dueAt.getTime()).toBeGreaterThan(oldest.getTime());
    expect(views.find((v: { id: string }) => v.id === "crm")).toMatchObject({ due: 0, oldestDueAt: null });

    const later = () => new Date(dueAt.getTime() + 95 * 60_000 + 20_000);
    const table = (await env().run(["endpoints"], { now: later })).stdout;
    const row = table.split("\n").find((l) => l.includes("legacy"));
    expect(row).toMatch(
      /│ legacy\s+│ -\s+│ -\s+│ -\s+│ -\s+│ idle\s+│ closed\s+│ -\s+│ 0\s+│ -\s+│ -\s+│ 2 waiting\s+│ 2\s+│ 1 h 35 min\s+│$/,
    );
    expect(table.split("\n").find((l) => l.includes("│ crm"))).toMatch(/│ 0\s+│ 0\s+│ -\s+│$/);
    expect(table).toContain("(not in config)");
    expect(table).toContain(`since ${oldest.toISOString().slice(0, 19).replace("T", " ")}Z`);

    const stats = JSON.parse((await env().run(["stats", "--since", "3h", "--json"])).stdout);
    const rows = stats.rows.filter((r: { endpointId: string }) => r.endpointId === "legacy");
    expect(rows).toMatchObject([{ eventCode: "add_credits", total: 2, counts: { pending: 2, failed: 0 } }]);
  });
});
