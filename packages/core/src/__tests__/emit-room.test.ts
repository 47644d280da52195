import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CapacityView } from "../dispatch/capacity.js";
import { EmitRoom, SLOW_SEND_MS } from "../dispatch/emit-room.js";

/** The two readings EmitRoom takes from Capacity, set by hand. */
function capacity(free: number) {
  const state = { free, oldestSendMs: 0 };
  const view = {
    get free() {
      return state.free;
    },
    oldestSendMs: () => state.oldestSendMs,
  } as unknown as CapacityView;
  return { state, view };
}

/** A room of 8 places, all taken, that has just turned an emit away: its wait has begun. */
function fullRoom() {
  const { state, view } = capacity(8);
  const recheck = vi.fn();
  const room = new EmitRoom(view, 500, recheck);
  state.free = 0;
  expect(room.mayAdmit(1)).toBe(false);
  return { state, room, recheck };
}

describe("EmitRoom: when an emit may take room in memory", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("admits while the places fit, counting those admitted emits will reserve; then waits until half the places (at most an insert batch) are free", () => {
    const { state, view } = capacity(10);
    const room = new EmitRoom(view, 500, () => {});
    expect(room.mayAdmit(3)).toBe(true);
    room.expect(3);
    expect(room.mayAdmit(3)).toBe(true);
    room.expect(3);
    expect(room.mayAdmit(3)).toBe(true);
    room.expect(3);
    // 1 left for an emit needing 3.
    expect(room.mayAdmit(3)).toBe(false);
    room.planned(9);
    state.free = 1;
    expect(room.mayAdmit(1)).toBe(false);
    state.free = 4;
    expect(room.mayAdmit(1)).toBe(false);
    state.free = 5;
    expect(room.mayAdmit(1)).toBe(true);
    room.idle();
  });

  it("an emit with nowhere to send needs no room; one needing more places than there are counts as all of them", () => {
    const { state, view } = capacity(4);
    const room = new EmitRoom(view, 500, () => {});
    expect(room.cost(9)).toBe(4);
    state.free = 0;
    expect(room.mayAdmit(1)).toBe(false);
    expect(room.mayAdmit(0)).toBe(true);
    room.idle();
  });

  it("goes on once the oldest send has run SLOW_SEND_MS, or once emits have found no room for that long", () => {
    const { state, room, recheck } = fullRoom();
    // Nothing frees a place: the recheck comes when the wait is up.
    vi.advanceTimersByTime(SLOW_SEND_MS - 1);
    expect(recheck).not.toHaveBeenCalled();
    expect(room.mayAdmit(1)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(recheck).toHaveBeenCalledTimes(1);
    expect(room.mayAdmit(1)).toBe(true);
    // No emit waits any more: the next one to find no room waits afresh.
    room.idle();
    expect(room.mayAdmit(1)).toBe(false);
    state.oldestSendMs = SLOW_SEND_MS;
    expect(room.mayAdmit(1)).toBe(true);
    room.idle();
  });

  it("leaves no timer behind once idle or closed", () => {
    const { room, recheck } = fullRoom();
    expect(vi.getTimerCount()).toBe(1);
    room.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(room.mayAdmit(1)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5 * SLOW_SEND_MS);
    expect(recheck).not.toHaveBeenCalled();
  });
});
