import { describe, expect, it, vi } from "vitest";
import { onAbort } from "./abort-fanout.js";

describe("onAbort", () => {
  it("runs every subscriber once when the signal aborts, and none that unsubscribed", () => {
    const ac = new AbortController();
    const [a, b, c] = [vi.fn(), vi.fn(), vi.fn()];
    onAbort(ac.signal, a);
    const offB = onAbort(ac.signal, b);
    onAbort(ac.signal, c);
    offB();
    ac.abort();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
    expect(c).toHaveBeenCalledTimes(1);
  });

  it("keeps the others when the first, the last or a middle link goes, and tolerates a second unsubscribe", () => {
    const ac = new AbortController();
    const calls: string[] = [];
    const off = ["a", "b", "c", "d"].map((name) => onAbort(ac.signal, () => calls.push(name)));
    off[0]!();
    off[3]!();
    off[1]!();
    off[1]!();
    ac.abort();
    expect(calls).toEqual(["c"]);
  });

  it("unlinks a subscriber whose neighbour was unlinked before it", () => {
    const ac = new AbortController();
    const calls: string[] = [];
    const [offA, offB, offC] = ["a", "b", "c"].map((name) => onAbort(ac.signal, () => calls.push(name)));
    offC!();
    offB!();
    ac.abort();
    expect(calls).toEqual(["a"]);
    offA!();
  });

  it("calls a subscriber that another one unsubscribes during the fan-out, as it was subscribed when the abort came", () => {
    const ac = new AbortController();
    const calls: string[] = [];
    let offFirst: () => void = () => {};
    onAbort(ac.signal, () => {
      calls.push("second");
      offFirst();
    });
    offFirst = onAbort(ac.signal, () => calls.push("first"));
    ac.abort();
    expect(calls.sort()).toEqual(["first", "second"]);
  });

  it("keeps signals apart", () => {
    const one = new AbortController();
    const two = new AbortController();
    const fn = vi.fn();
    onAbort(two.signal, fn);
    one.abort();
    expect(fn).not.toHaveBeenCalled();
    two.abort();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
