import { cpus, loadavg, totalmem } from "node:os";
import { probeDatabase } from "@hookline/store-knex/testing";
import knexFactory from "knex";
import { serverConfig } from "./db.js";

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly mariadb: string;
  readonly postgresql: string;
  /** 1/5/15-minute load averages when the run started: how busy the shared machine was. */
  readonly loadAverage: readonly number[];
}

async function version(db: "mariadb" | "postgres"): Promise<string> {
  const down = await probeDatabase(db);
  if (down) return `unreachable (${down})`;
  const k = knexFactory(serverConfig(db, 1));
  try {
    const r = await k.raw("select version() as v");
    const row = db === "postgres" ? r.rows[0] : r[0][0];
    return String(row.v).split(" on ")[0]!;
  } finally {
    await k.destroy();
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mariadb: await version("mariadb"),
    postgresql: await version("postgres"),
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
