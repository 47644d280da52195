import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of named processes and of the whole machine, read from /proc, so a report can say
 * where the two cores went during a measurement (node vs mariadbd vs everyone else on the box).
 */
export interface CpuSnapshot {
  readonly at: number;
  readonly machine: { readonly busy: number; readonly total: number };
  readonly procs: ReadonlyMap<string, number>;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procTicks(pid: number): number {
  try {
    // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** Pids of processes whose command name is `comm` (e.g. mariadbd, postgres). */
export function pidsOf(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, "utf8").trim() === comm) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Snapshot CPU ticks of `groups` (name → pids) and of the machine. */
export function cpuSnapshot(groups: Record<string, readonly number[]>): CpuSnapshot {
  const procs = new Map(
    Object.entries(groups).map(([name, pids]) => [name, pids.reduce((a, p) => a + procTicks(p), 0)]),
  );
  return { at: performance.now(), machine: machineTicks(), procs };
}

/**
 * Between two snapshots: each group's CPU in % of one core, the machine's busy share in % of all
 * cores, and "others" (busy time not in any group, e.g. other engineers' tests), in % of one core.
 */
export function cpuSplit(a: CpuSnapshot, b: CpuSnapshot, cores: number): Record<string, number> {
  const ms = b.at - a.at;
  const pct = (ticks: number) => Math.round(((ticks * TICK_MS) / ms) * 100);
  const out: Record<string, number> = {};
  let grouped = 0;
  for (const [name, t] of b.procs) {
    const d = t - (a.procs.get(name) ?? 0);
    grouped += d;
    out[name] = pct(d);
  }
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  out.others = Math.max(0, Math.round(((busy - grouped) / total) * cores * 100));
  out.machineBusyPct = Math.round((busy / total) * 100);
  return out;
}
