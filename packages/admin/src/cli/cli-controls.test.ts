import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../__fixtures__/cli-harness.js";
import { configDir, envRef, jsonConfig } from "../__fixtures__/config-dir.js";
import { type LiveHookline, startLiveHookline, testEndpoints } from "../__fixtures__/live-hookline.js";
import { tempSqliteStore } from "../__fixtures__/sqlite-store.js";
import { multiLine, oneLine, terminalSafe } from "./format/text.js";

// Each sequence a hostile receiver or payload could plant, tagged so a test can tell it apart
// from the colour codes the CLI adds itself.
const ATTACKS = {
  sgr: "\u001b[31mRED-TAG",
  bel: "BEL-TAG\u0007",
  cr: "CR-TAG\rAttempt 9  HTTP 200  success",
  osc0: "\u001b]0;TITLE-TAG\u0007",
  osc52: "\u001b]52;c;Q0xJUC1UQUc=\u0007",
  c1: "\u009b2JC1-TAG",
};
const HOSTILE = Object.values(ATTACKS).join(" ");
/** Any control character but LF, on a plain (non-terminal) run. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function expectNoRawAttack(text: string): void {
  expect(text).not.toContain(ATTACKS.sgr);
  for (const raw of ["\u0007", "\r", "\u001b]", "\u009b"]) expect(text).not.toContain(raw);
}

describe("control characters in human output", () => {
  let live: LiveHookline;
  let run: (argv: readonly string[], isTTY?: boolean) => ReturnType<typeof cli>;
  let failedId: string;
  let eventId: string;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    const db = await tempSqliteStore();
    live = await startLiveHookline(db.file, db.store);
    // A receiver whose answer carries every sequence, and a payload whose subject does.
    live.receiver.on("/billing?tenant=7", { status: 500, body: `{"error":"${HOSTILE}"}\n${HOSTILE}` });
    const r = await live.hooks.emit("add_credits", {
      buyerId: HOSTILE,
      buyerName: "test",
      postCodeList: ["AB"],
      topUpAmount: 1,
    });
    await live.settle(r.deliveries.map((d) => d.id));
    failedId = r.deliveries.find((d) => d.endpointId === "billing")!.id;
    eventId = r.eventId;
    // Written past the CLI and the API (which refuse it), as an older tool could have.
    await db.store.setEndpointDisabled("alerts", true, HOSTILE);
    const cfg = configDir({ "hookline.config.json": jsonConfig(testEndpoints(envRef("ORIGIN"))) });
    const env = { HL_DB: db.file, ORIGIN: live.receiver.baseUrl };
    run = (argv, isTTY = false) => cli(argv, { cwd: cfg.dir, env, isTTY });
    cleanups.push(
      () => live.stop(),
      () => db.cleanup(),
      () => cfg.cleanup(),
    );
  });
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  const commands = (): string[][] => [
    ["deliveries", "list"],
    ["deliveries", "show", failedId],
    ["events", "list"],
    ["events", "show", eventId],
    ["endpoints"],
    ["stats"],
    ["replay", "--endpoint", "billing", "--dry-run"],
  ];

  it("never reach stdout raw, on a pipe or on a terminal with colours", async () => {
    for (const argv of commands()) {
      for (const isTTY of [false, true]) {
        const r = await run(argv, isTTY);
        expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
        expectNoRawAttack(r.stdout);
        if (!isTTY) expect(r.stdout).not.toMatch(RAW_CONTROL);
      }
    }
  });

  it("are shown as escapes where the data is", async () => {
    const show = await run(["deliveries", "show", failedId]);
    expect(show.stdout).toContain("\\x1b[31mRED-TAG");
    expect(show.stdout).toContain("BEL-TAG\\x07");
    expect(show.stdout).toContain("CR-TAG\\rAttempt 9");
    expect(show.stdout).toContain("\\x1b]0;TITLE-TAG\\x07");
    expect(show.stdout).toContain("\\x1b]52;c;");
    expect(show.stdout).toContain("\\u009b2JC1-TAG");
    // The body's own line break stays, indented inside the attempt block.
    expect(show.stdout).toMatch(/\n {4}\\x1b\[31mRED-TAG/);
    expect((await run(["endpoints"])).stdout).toContain("\\x1b[31mRED-TAG BEL-TAG\\x07");
  });

  it("--json stays JSON and round-trips the exact text", async () => {
    const r = await run(["deliveries", "show", failedId, "--json"]);
    expect(r.stdout).not.toMatch(/[\u0080-\u009f]/);
    const detail = JSON.parse(r.stdout) as { subject: string; attemptLog: { responseBody: string }[] };
    expect(detail.subject).toBe(HOSTILE);
    expect(detail.attemptLog[0]!.responseBody).toContain(HOSTILE);
    const views = JSON.parse((await run(["endpoints", "--json"])).stdout) as { disabledReason: string }[];
    expect(views.map((v) => v.disabledReason)).toContain(HOSTILE);
  });

  it("an error that echoes data escapes it", async () => {
    const r = await run(["deliveries", "show", `dlv_${ATTACKS.osc0}${ATTACKS.c1}`]);
    expect(r.code).not.toBe(0);
    expectNoRawAttack(r.stderr);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });

  it("endpoints disable refuses a reason with control characters", async () => {
    const r = await run(["endpoints", "disable", "crm", "--reason", `moved ${ATTACKS.osc52}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--reason: expected .*without control characters/);
    expectNoRawAttack(r.stderr);
  });
});

describe("the escaping helpers", () => {
  it("oneLine escapes every C0, DEL and C1 control, line feeds too", () => {
    expect(oneLine("a\u001b[2Jb\nc\td\u007fe\u0085f\u009fg")).toBe(
      "a\\x1b[2Jb\\nc\\td\\x7fe\\u0085f\\u009fg",
    );
    expect(oneLine("plain, émoji 🚀 and \\x1b as text")).toBe("plain, émoji 🚀 and \\x1b as text");
  });

  it("bidirectional overrides and Unicode line separators are escaped in every helper", () => {
    // "Trojan Source": U+202E reverses what follows, U+2066-2069 isolate, U+2028 breaks the line.
    const tricky = "ok\u202egnp.exe\u2066x\u2069\u2028y\u200f";
    const escaped = "ok\\u202egnp.exe\\u2066x\\u2069\\u2028y\\u200f";
    expect(oneLine(tricky)).toBe(escaped);
    expect(multiLine(tricky)).toBe(escaped);
    expect(terminalSafe(tricky, true)).toBe(escaped);
  });

  it("multiLine keeps line feeds and tabs and indents every line", () => {
    expect(multiLine("a\r\n\tb\u0007", "  ")).toBe("  a\\r\n  \tb\\x07");
  });

  it("terminalSafe keeps colour codes only when colours are on", () => {
    const line = "\u001b[31mred\u001b[39m \u001b]0;t\u0007 \u001b[2J";
    expect(terminalSafe(line, true)).toBe("\u001b[31mred\u001b[39m \\x1b]0;t\\x07 \\x1b[2J");
    expect(terminalSafe(line, false)).toBe("\\x1b[31mred\\x1b[39m \\x1b]0;t\\x07 \\x1b[2J");
  });
});
