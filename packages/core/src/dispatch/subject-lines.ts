import QuickLRU from "quick-lru";
import type { ClaimRef } from "../contracts/store.js";
import type { AttemptJob } from "./attempt-job.js";
import type { AttemptSummary } from "./pipeline.js";

/**
 * Ended attempts kept for deliveries queued behind them: the last 5,000 to 10,000, about a second
 * of a busy pipeline. Dropping the oldest from a plain Map cost a scan past every slot deleted
 * before it (about 5 µs per ordered attempt); these two generations drop thousands at once.
 */
const ENDED_KEPT = 5_000;

interface Ended {
  readonly claimToken: string;
  readonly summary: AttemptSummary;
}

interface Place {
  readonly createdAt: number;
  readonly id: string;
}

/** An attempt of a delivery with a subject, queued or launched in this process. */
export interface LineEntry {
  readonly deliveryId: string;
  readonly claimToken: string;
  readonly place: Place;
  readonly done: Promise<AttemptSummary>;
  /** Sent (or being sent), not waiting for its turn. */
  launched: boolean;
  ended: boolean;
}

const before = (a: Place, b: Place) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
const endedOk = (s: AttemptSummary | undefined) => s?.recorded === true && s.next.status !== "pending";
const keyOf = (job: AttemptJob) => `${job.endpointId}\u0000${job.subject}`;

/**
 * This process's attempts of deliveries with a subject, per endpoint and subject, so a delivery
 * the store queued behind claims of this process (InsertReport.queued) goes only when each of
 * them was recorded as ended here. Every wait points at a delivery earlier in emit order or at one
 * already launched (which waits for nothing), so waits never form a cycle.
 */
export class SubjectLines {
  readonly #entries = new Map<string, LineEntry>();
  readonly #bySubject = new Map<string, Set<LineEntry>>();
  /** How the last attempts ended, newest last, matched by claim token. */
  readonly #ended = new QuickLRU<string, Ended>({ maxSize: ENDED_KEPT });
  #nextTurn: Promise<void> | undefined;

  /** Follow `job`'s attempt (`done`) until it settles. */
  follow(job: AttemptJob, done: Promise<AttemptSummary>, launched: boolean): void {
    if (job.subject === null) return;
    const entry: LineEntry = {
      deliveryId: job.deliveryId,
      claimToken: job.claimToken,
      place: { createdAt: job.createdAt.getTime(), id: job.deliveryId },
      done,
      launched,
      ended: false,
    };
    const key = keyOf(job);
    const previous = this.#entries.get(job.deliveryId);
    if (previous) this.#bySubject.get(key)?.delete(previous);
    this.#entries.set(job.deliveryId, entry);
    const line = this.#bySubject.get(key) ?? new Set<LineEntry>();
    this.#bySubject.set(key, line.add(entry));
    // A rejected attempt (none is expected to reject) ends its entry too, as not recorded.
    const end = (summary: AttemptSummary | undefined) => {
      entry.ended = true;
      line.delete(entry);
      if (line.size === 0 && this.#bySubject.get(key) === line) this.#bySubject.delete(key);
      if (this.#entries.get(job.deliveryId) !== entry) return;
      this.#entries.delete(job.deliveryId);
      this.#ended.delete(job.deliveryId);
      if (summary) this.#ended.set(job.deliveryId, { claimToken: job.claimToken, summary });
    };
    done.then(end, () => end(undefined));
  }

  /**
   * Resolves true once `job` may go: each claim in `ahead` was recorded here as ended (succeeded,
   * failed or cancelled), and so was every other attempt of its subject here that is earlier in
   * emit order or already launched. False as soon as one was not (a retry is due, its result was
   * fenced out, or the claim is not this process's): the caller gives `job` back.
   */
  async turn(job: AttemptJob, ahead: readonly ClaimRef[]): Promise<boolean> {
    // After this turn of the event loop: the emit launching a claim ahead (from the same insert
    // batch, or one that resolved just before) has then registered it.
    await this.#afterThisTurn();
    // One at a time: each must end well, so the last to end decides when, as with Promise.all.
    for (const ref of ahead) if (!endedOk(await this.#outcome(ref))) return false;
    const place = { createdAt: job.createdAt.getTime(), id: job.deliveryId };
    const key = keyOf(job);
    for (;;) {
      const blocker = this.#blocker(key, job.deliveryId, place);
      if (blocker === undefined) return true;
      if (!endedOk(await blocker.done)) return false;
    }
  }

  /** Resolves after the current turn of the event loop: one immediate for every turn() begun in it. */
  #afterThisTurn(): Promise<void> {
    this.#nextTurn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#nextTurn = undefined;
        resolve();
      }),
    );
    return this.#nextTurn;
  }

  /** An attempt of the line `key` that `place` still waits for: earlier in emit order, or launched. */
  #blocker(key: string, deliveryId: string, place: Place): LineEntry | undefined {
    const line = this.#bySubject.get(key);
    if (line === undefined) return undefined;
    for (const e of line)
      if (!e.ended && e.deliveryId !== deliveryId && (e.launched || before(e.place, place))) return e;
    return undefined;
  }

  #outcome(ref: ClaimRef): Promise<AttemptSummary | undefined> | AttemptSummary | undefined {
    const live = this.#entries.get(ref.deliveryId);
    if (live) return live.claimToken === ref.claimToken ? live.done : undefined;
    const ended = this.#ended.get(ref.deliveryId);
    return ended?.claimToken === ref.claimToken ? ended.summary : undefined;
  }
}
