import { retryAfterPause, stepCircuit } from "../contracts/circuit-step.js";
import type { CircuitState, CircuitTransition, EndpointControl } from "../contracts/delivery-control.js";
import type { AttemptResult, EndpointState } from "../contracts/store.js";
import type { MemDelivery } from "./memory-rows.js";
import { SendWindows } from "./memory-send-window.js";

/** Rate-limit, pause and breaker state of one endpoint, as the SQL stores keep it per row. */
interface ControlRow {
  /** Null: never used, so full. */
  tokens: number | null;
  tokensAt: number;
  pausedUntil: number | null;
  circuit: CircuitState;
  failures: number;
  openUntil: number | null;
  cooldownMs: number | null;
  probeId: string | null;
  probeUntil: number | null;
}

type Verdict = "skip" | "probe" | "limited" | "plain";

const freshRow = (now: number): ControlRow => ({
  tokens: null,
  tokensAt: now,
  pausedUntil: null,
  circuit: "closed",
  failures: 0,
  openUntil: null,
  cooldownMs: null,
  probeId: null,
  probeUntil: null,
});

/**
 * The memory store's rate limits, 429 pauses and circuit breakers: the reference for what the
 * SQL stores do under lock (see DeliveryStore.claimDue and complete with `controls`).
 */
export class MemoryControls {
  readonly #rows = new Map<string, ControlRow>();
  readonly #sends = new SendWindows();

  #row(endpointId: string, now: number): ControlRow {
    const row = this.#rows.get(endpointId) ?? freshRow(now);
    this.#rows.set(endpointId, row);
    return row;
  }

  #verdict(c: EndpointControl | undefined, row: ControlRow | undefined, now: number): Verdict {
    if (row?.pausedUntil != null && row.pausedUntil > now) return "skip";
    if (c?.breaker && row) {
      if (row.circuit === "open") return row.openUntil != null && row.openUntil > now ? "skip" : "probe";
      if (row.circuit === "half_open")
        return row.probeUntil != null && row.probeUntil >= now ? "skip" : "probe";
    }
    // A circuit left by a breaker the endpoint no longer has: nothing would ever close it.
    if (row && !c?.breaker && row.circuit !== "closed")
      Object.assign(row, {
        circuit: "closed",
        openUntil: null,
        cooldownMs: null,
        probeId: null,
        probeUntil: null,
      });
    return c?.rateLimit || c?.maxConcurrent !== undefined ? "limited" : "plain";
  }

  #tokens(c: EndpointControl | undefined, row: ControlRow | undefined, now: number): number | undefined {
    const rate = c?.rateLimit;
    if (!rate) return undefined;
    if (row?.tokens == null) return rate.burst;
    return Math.min(rate.burst, row.tokens + (Math.max(0, now - row.tokensAt) * rate.perSecond) / 1000);
  }

  /**
   * Which of `due` (the claimable rows of the claimer's endpoints, in claim order) a claim takes:
   * probes first, one each; then limited endpoints, each what its bucket and cap allow; then the
   * rest in order. Records the bucket debits and the probes.
   */
  choose(
    due: readonly MemDelivery[],
    opts: { readonly limit: number; readonly leaseMs: number },
    controls: readonly EndpointControl[],
    live: (endpointId: string) => number,
    nowDate: Date,
  ): MemDelivery[] {
    const now = nowDate.getTime();
    const byId = new Map(controls.map((c) => [c.endpointId, c]));
    const verdicts = new Map<string, Verdict>();
    for (const d of due)
      if (!verdicts.has(d.endpointId))
        verdicts.set(d.endpointId, this.#verdict(byId.get(d.endpointId), this.#rows.get(d.endpointId), now));
    const chosen: MemDelivery[] = [];
    let room = opts.limit;
    const special = [...verdicts].filter(([, v]) => v === "probe" || v === "limited");
    special.sort(([, a], [, b]) => (a === b ? 0 : a === "probe" ? -1 : 1));
    for (const [ep, v] of special) {
      if (room === 0) break;
      const c = byId.get(ep);
      const bucket = this.#tokens(c, this.#rows.get(ep), now);
      let allowance = v === "probe" ? 1 : room;
      const rate = c?.rateLimit;
      const inWindow = rate && bucket !== undefined ? this.#sends.room(ep, rate, bucket, now) : room;
      if (bucket !== undefined) allowance = Math.min(allowance, Math.floor(bucket + 1e-9), inWindow);
      if (c?.maxConcurrent !== undefined) allowance = Math.min(allowance, c.maxConcurrent - live(ep));
      const got = allowance > 0 ? due.filter((d) => d.endpointId === ep).slice(0, allowance) : [];
      const tokens =
        rate && bucket !== undefined ? SendWindows.tokensAfter(bucket, got.length, inWindow) : undefined;
      if (tokens !== undefined) Object.assign(this.#row(ep, now), { tokens, tokensAt: now });
      if (got.length === 0) continue;
      chosen.push(...got);
      room -= got.length;
      const row = this.#row(ep, now);
      if (rate) this.#sends.record(ep, now, got.length);
      if (v === "probe")
        Object.assign(row, { circuit: "half_open", probeId: got[0]!.id, probeUntil: now + opts.leaseMs });
    }
    for (const d of due) {
      if (room === 0) break;
      if (verdicts.get(d.endpointId) !== "plain") continue;
      chosen.push(d);
      room--;
    }
    return chosen;
  }

  /** Count applied attempts into the breakers and record 429 pauses; returns the transitions. */
  complete(applied: readonly AttemptResult[], controls: readonly EndpointControl[], nowDate: Date) {
    const now = nowDate.getTime();
    const byId = new Map(controls.map((c) => [c.endpointId, c]));
    const transitions: CircuitTransition[] = [];
    const ordered = [...applied].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
    for (const r of ordered) {
      const pause = retryAfterPause(r);
      const b = byId.get(r.endpointId)?.breaker;
      if (pause === 0 && !b) continue;
      const s = this.#row(r.endpointId, now);
      if (pause > 0) s.pausedUntil = Math.max(s.pausedUntil ?? 0, now + pause);
      if (!b) continue;
      const moved = stepCircuit(s, r, b, now);
      if (moved) transitions.push(moved);
    }
    return transitions;
  }

  /** A claimed insert to this endpoint goes in pending instead: circuit not closed, or paused. */
  holds(endpointId: string, now: Date): boolean {
    const row = this.#rows.get(endpointId);
    if (!row) return false;
    return row.circuit !== "closed" || (row.pausedUntil !== null && row.pausedUntil > now.getTime());
  }

  /** Endpoints with control state. */
  endpointIds(): string[] {
    return [...this.#rows.keys()];
  }

  /** The EndpointState fields of the endpoint's control state. */
  stateOf(
    endpointId: string,
  ): Pick<EndpointState, "circuit" | "consecutiveFailures" | "openUntil" | "pausedUntil"> {
    const row = this.#rows.get(endpointId);
    const open = row !== undefined && row.circuit !== "closed" && row.openUntil !== null;
    return {
      circuit: row?.circuit ?? "closed",
      consecutiveFailures: row?.failures ?? 0,
      openUntil: open ? new Date(row.openUntil!) : null,
      pausedUntil: row?.pausedUntil != null ? new Date(row.pausedUntil) : null,
    };
  }
}
