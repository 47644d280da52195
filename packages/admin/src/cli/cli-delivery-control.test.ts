import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../__fixtures__/cli-harness.js";
import { configDir, jsonConfig } from "../__fixtures__/config-dir.js";
import { CONTROL_ENDPOINTS, type ControlLog, controlLog } from "../__fixtures__/control-log.js";

const clock = (d: Date) => `${d.toISOString().slice(11, 19)}Z`;

/** The lines of the table row whose first line names `id` (a row spans lines: one per cell line). */
function rowOf(table: string, id: string): string {
  const rows = table.split(/\n[├└][─┼┴]+[┤┘]\n?/);
  const row = rows.find((r) => r.split("\n").some((l) => l.startsWith(`│ ${id} `)));
  if (!row) throw new Error(`no row for ${id} in\n${table}`);
  return row;
}

describe("delivery control in the CLI", () => {
  let log: ControlLog;
  let cfg: ReturnType<typeof configDir>;
  const run = (argv: readonly string[], now?: Date) =>
    cli(argv, { cwd: cfg.dir, env: { HL_DB: log.file }, ...(now ? { now: () => now } : {}) });
  const json = async (argv: readonly string[]) => {
    const r = await run([...argv, "--json"]);
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    log = await controlLog();
    cfg = configDir({ "hookline.config.json": jsonConfig(CONTROL_ENDPOINTS) });
  });
  afterAll(async () => {
    await log?.cleanup();
    cfg?.cleanup();
  });

  it("endpoints --json: each endpoint's circuit, pause and configured control", async () => {
    const views = await json(["endpoints"]);
    const byId = Object.fromEntries(views.map((v: { id: string }) => [v.id, v]));
    expect(byId.ledger).toMatchObject({
      circuit: {
        state: "open",
        consecutiveFailures: 2,
        openUntil: log.states.ledger.openUntil!.toISOString(),
      },
      pausedUntil: null,
      control: {
        ordering: "none",
        supersede: true,
        rateLimit: null,
        maxConcurrent: null,
        circuitBreaker: { failureThreshold: 2, cooldownMs: 3_600_000, maxCooldownMs: 3_600_000 },
      },
    });
    expect(new Date(byId.ledger.circuit.openUntil).getTime()).toBeGreaterThan(Date.now());
    expect(byId.search.circuit.state).toBe("half_open");
    expect(byId.partner).toMatchObject({
      circuit: { state: "closed", openUntil: null },
      pausedUntil: log.states.partner.pausedUntil!.toISOString(),
      control: {
        rateLimit: { perSecond: 0.5, burst: 3 },
        maxConcurrent: 4,
        circuitBreaker: { failureThreshold: 10, cooldownMs: 30_000, maxCooldownMs: 600_000 },
      },
    });
    expect(byId.quiet).toMatchObject({
      circuit: { state: "closed", consecutiveFailures: 0, openUntil: null },
      pausedUntil: null,
      control: { supersede: false, circuitBreaker: null },
    });
    expect(byId.crm.control).toMatchObject({ ordering: "subject", supersede: true });
  });

  it("endpoints: a circuit column (closed, open until, half-open probing, paused until) and a control column", async () => {
    const now = new Date();
    const table = (await run(["endpoints"], now)).stdout;
    expect(table.split("\n")[1]).toMatch(/│ control\s+│ state\s+│ circuit\s+│/);
    const ledger = rowOf(table, "ledger");
    expect(ledger).toMatch(/│ open\s+│/);
    expect(ledger).toContain(`until ${clock(log.states.ledger.openUntil!)}`);
    expect(ledger).toContain("breaker 2 failures");
    expect(ledger).toContain("cool-down 1 h–1 h");
    const search = rowOf(table, "search");
    expect(search).toMatch(/│ half-open\s+│/);
    expect(search).toMatch(/│ probing\s+│/);
    expect(search).toMatch(/│ breaker 1 failure\s+│/);
    const partner = rowOf(table, "partner");
    expect(partner).toMatch(/│ closed\s+│/);
    expect(partner).toContain(`paused until ${clock(log.states.partner.pausedUntil!)}`);
    expect(partner).toContain("0.5/s, burst 3");
    expect(partner).toContain("max 4 at once");
    const quiet = rowOf(table, "quiet");
    expect(quiet).toContain("no supersede");
    expect(quiet).toContain("no breaker");
    expect(rowOf(table, "crm")).toContain("ordered by subject");
  });

  it("endpoints: once the cool-down and the pause are over, a probe is due and the pause is gone", async () => {
    const later = new Date(
      Math.max(log.states.ledger.openUntil!.getTime(), log.states.partner.pausedUntil!.getTime()) + 1000,
    );
    const table = (await run(["endpoints"], later)).stdout;
    expect(rowOf(table, "ledger")).toContain("probe due");
    expect(rowOf(table, "ledger")).not.toContain("until");
    expect(rowOf(table, "partner")).not.toContain("paused");
  });

  it("deliveries show: a delivery held by an earlier one of its subject says which", async () => {
    const { first, second } = log.ordered;
    const shown = await run(["deliveries", "show", second]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`│ status\\s+│ pending  waiting for ${first}\\s+│`));
    expect((await json(["deliveries", "show", second])).waitingFor).toBe(first);
    expect((await run(["deliveries", "show", first])).stdout).not.toContain("waiting for");
    expect((await json(["deliveries", "show", first])).waitingFor).toBeNull();
  });

  it("lists and shows a superseded delivery as cancelled with HOOKLINE_SUPERSEDED", async () => {
    const { older, newer, superseded } = log.superseded;
    expect(superseded).toBe(1);
    const page = await json(["deliveries", "list", "--subject", "s-state"]);
    expect(page.items.map((d: { id: string }) => d.id)).toEqual([newer, older]);
    expect(page.items[1]).toMatchObject({ status: "cancelled", lastErrorCode: "HOOKLINE_SUPERSEDED" });
    expect(page.items[0]).toMatchObject({ status: "pending", lastErrorCode: null });
    const table = (await run(["deliveries", "list", "--subject", "s-state"])).stdout;
    expect(table).toMatch(new RegExp(`│ ${older} .*│ cancelled\\s+│ 0\\s+│ -\\s+│ HOOKLINE_SUPERSEDED\\s+│`));
    const shown = (await run(["deliveries", "show", older])).stdout;
    expect(shown).toMatch(
      /│ last error\s+│ HOOKLINE_SUPERSEDED {2}\(a newer state of the subject replaced it\)\s+│/,
    );
    expect((await run(["deliveries", "show", newer])).stdout).toMatch(/│ last error\s+│ -\s+│/);
  });

  it("replays a superseded delivery, by id and by filter, and says it is an older state", async () => {
    const { older } = log.superseded;
    const dry = await run(["replay", "--subject", "s-state", "--dry-run"]);
    expect(dry.stdout).toContain("Dry run: would replay 1 delivery (cancelled 1).");
    expect(dry.stdout).toContain(
      "1 delivery superseded by a newer state (HOOKLINE_SUPERSEDED): a replay sends the older state after the newer one",
    );
    expect(await json(["replay", "--subject", "s-state", "--dry-run"])).toMatchObject({
      matched: 1,
      superseded: 1,
      ids: [older],
    });
    const r = await run(["replay", older]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Replayed 1 of 1 delivery (cancelled 1; by endpoint: crm 1).");
    expect(r.stdout).toContain("1 delivery superseded");
    expect(await log.store.getDelivery(older)).toMatchObject({ status: "pending", replays: 1 });
  });
});
