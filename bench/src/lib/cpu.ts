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

/** The fields of /proc/<pid>/stat after the command name, or undefined once the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

// Indices into statFields(): ppid, then utime, stime, cutime, cstime (fields 4, 14–17 of stat).
const PPID = 1;
const UTIME = 11;

function procTicks(pid: number): number {
  const f = statFields(pid);
  return f ? Number(f[UTIME]) + Number(f[UTIME + 1]) : 0;
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU of every live process named `comm`, plus what their exited children used (cutime/cstime of
 * the top one, e.g. PostgreSQL's postmaster). PostgreSQL forks a backend per connection, after a
 * scenario's first snapshot and often gone before its last, so a pid list taken once misses them.
 */
function commTicks(comm: string): number {
  let ticks = 0;
  for (const pid of pidsOf(comm)) {
    const f = statFields(pid);
    if (!f) continue;
    ticks += Number(f[UTIME]) + Number(f[UTIME + 1]);
    if (commOf(Number(f[PPID])) !== comm) ticks += Number(f[UTIME + 2]) + Number(f[UTIME + 3]);
  }
  return ticks;
}

/** A group to measure: fixed pids, or every process named `comm` (and its exited children). */
export type CpuGroup = readonly number[] | { readonly comm: string };

const groupTicks = (g: CpuGroup): number =>
  "comm" in g ? commTicks(g.comm) : (g as readonly number[]).reduce((a, p) => a + procTicks(p), 0);

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

/** Snapshot CPU ticks of `groups` (name → group) and of the machine. */
export function cpuSnapshot(groups: Record<string, CpuGroup>): CpuSnapshot {
  const procs = new Map(Object.entries(groups).map(([name, g]) => [name, groupTicks(g)]));
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
