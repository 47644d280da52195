import {
  type DeliveryStore,
  type EndpointConfig,
  type EndpointState,
  type ResolvedEndpoint,
  resolveEndpoints,
} from "@hookline/core";
import { halfOpenCircuit, openCircuit, orderedPair, pauseEndpoint, supersededPair } from "./control-seed.js";
import { tempSqliteStore } from "./sqlite-store.js";

const ORIGIN = "https://hooks.example.com";
export const CONTROL_CODES = ["add_credits", "user_credits_zero", "post_code_change"];

/**
 * Endpoints with every kind of delivery control. Nothing sends to them: the log is written by
 * the store's own methods with each endpoint's resolved controls, as a worker would.
 */
export const CONTROL_ENDPOINTS: readonly EndpointConfig[] = [
  {
    id: "crm",
    url: `${ORIGIN}/crm`,
    events: CONTROL_CODES,
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ordering: "subject",
  },
  {
    id: "ledger",
    url: `${ORIGIN}/ledger`,
    events: ["add_credits"],
    signing: false,
    circuitBreaker: { failureThreshold: 2, cooldownMs: 3_600_000 },
  },
  {
    id: "search",
    url: `${ORIGIN}/search`,
    events: ["add_credits"],
    signing: false,
    circuitBreaker: { failureThreshold: 1, cooldownMs: 1, maxCooldownMs: 1 },
  },
  {
    id: "partner",
    url: `${ORIGIN}/partner`,
    events: ["add_credits"],
    signing: false,
    rateLimit: { perSecond: 0.5, burst: 3 },
    maxConcurrent: 4,
  },
  {
    id: "quiet",
    url: `${ORIGIN}/quiet`,
    events: ["add_credits"],
    signing: false,
    supersede: false,
    circuitBreaker: false,
  },
];

/** How long the 429 of `partner` asked to wait. */
export const PAUSE_MS = 600_000;

export interface ControlLog {
  readonly store: DeliveryStore;
  readonly file: string;
  readonly endpoints: readonly ResolvedEndpoint[];
  /** Endpoint states right after seeding. */
  readonly states: Readonly<Record<"ledger" | "search" | "partner", EndpointState>>;
  /** crm, subject "s-ordered": the second waits for the first. */
  readonly ordered: { readonly first: string; readonly second: string };
  /** crm, post_code_change of subject "s-state": the older one was superseded. */
  readonly superseded: { readonly older: string; readonly newer: string; readonly superseded: number };
  cleanup(): Promise<void>;
}

/**
 * A real SQLite log holding: ledger's circuit open for an hour, search's half-open with its probe
 * out, partner paused by a 429, an ordered pair and a superseded state on crm.
 */
export async function controlLog(): Promise<ControlLog> {
  const db = await tempSqliteStore();
  const endpoints = resolveEndpoints(CONTROL_ENDPOINTS, { knownCodes: CONTROL_CODES, env: {} });
  const control = (id: string) => endpoints.find((e) => e.id === id)!.control;
  const states = {
    ledger: await openCircuit(db.store, control("ledger")),
    search: await halfOpenCircuit(db.store, control("search")),
    partner: await pauseEndpoint(db.store, control("partner"), PAUSE_MS),
  };
  return {
    store: db.store,
    file: db.file,
    endpoints,
    states,
    ordered: await orderedPair(db.store, "crm", "s-ordered"),
    superseded: await supersededPair(db.store, "crm", "s-state"),
    cleanup: db.cleanup,
  };
}
