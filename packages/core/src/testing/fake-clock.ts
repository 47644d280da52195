import type { Clock, TimerHandle } from "../util/clock.js";

/** A Clock whose time moves only when told; timers fire in order as it advances. */
export interface FakeClock extends Clock {
  /** Move time forward by `ms`, firing due timers in order and letting promises settle between them. */
  advance(ms: number): Promise<void>;
  /** Move time to `date` (forward only). */
  advanceTo(date: Date): Promise<void>;
  /** Timers still waiting. */
  pending(): number;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fake clock starting at `start` (default 2026-01-01T00:00:00Z). */
export function fakeClock(start: Date = new Date("2026-01-01T00:00:00Z")): FakeClock {
  let now = start.getTime();
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: FakeClock = {
    now: () => new Date(now),
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id as unknown as TimerHandle;
    },
    clearTimeout(handle) {
      timers.delete(handle as unknown as number);
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await flush();
        const next = [...timers.entries()]
          .filter(([, t]) => t.at <= target)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
      }
      now = target;
      await flush();
    },
    advanceTo(date) {
      return clock.advance(Math.max(0, date.getTime() - now));
    },
    pending: () => timers.size,
  };
  return clock;
}
