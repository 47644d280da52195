import { spawn } from "node:child_process";
import { expect, it } from "vitest";
import { cpuSnapshot, cpuSplit } from "./cpu.js";

// A parent that names itself `name`, then runs two children of the same name one after the
// other, each burning ~300 ms of CPU and exiting: like PostgreSQL's postmaster and backends.
const script = (name: string) => `
process.title = ${JSON.stringify(name)};
const { spawnSync } = require("node:child_process");
const child = 'process.title = ${JSON.stringify(name)}; const t = Date.now(); while (Date.now() - t < 300) {}';
for (let i = 0; i < 2; i++) spawnSync(process.execPath, ["-e", child], { stdio: "ignore" });
`;

it("counts processes by name at each snapshot, children that exited in between included", async () => {
  const name = `hlcpu${process.pid % 100000}`;
  const group = { comm: name };
  const start = cpuSnapshot({ group });
  const parent = spawn(process.execPath, ["-e", `${script(name)}; setTimeout(() => {}, 2000);`], {
    stdio: "ignore",
  });
  await new Promise((r) => setTimeout(r, 1500));
  const split = cpuSplit(start, cpuSnapshot({ group }), 2);
  parent.kill();
  // Two exited children of ~300 ms each over a ~1.5 s window, seen only through the parent's
  // cutime: well above 20 % of a core. A pid list taken at the first snapshot reports ~0.
  expect(split.group).toBeGreaterThan(20);
});
