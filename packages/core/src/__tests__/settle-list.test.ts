import { describe, expect, it } from "vitest";
import { SettleList } from "../util/settle-list.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SettleList", () => {
  it("holds promises oldest first until each settles, fulfilled or rejected", async () => {
    const list = new SettleList<number>();
    const [a, b, c] = [deferred<number>(), deferred<number>(), deferred<number>()];
    expect(list.add(a.promise, 1)).toBe(a.promise);
    list.add(b.promise, 2);
    list.add(c.promise, 3);
    expect(list.size).toBe(3);
    expect(list.toArray()).toEqual([a.promise, b.promise, c.promise]);
    expect(list.oldestAt).toBe(1);

    b.resolve(0);
    await b.promise;
    expect(list.toArray()).toEqual([a.promise, c.promise]);
    expect(list.oldestAt).toBe(1);

    a.reject(new Error("x"));
    await a.promise.catch(() => {});
    expect(list.toArray()).toEqual([c.promise]);
    expect(list.oldestAt).toBe(3);

    c.resolve(0);
    await c.promise;
    expect(list.size).toBe(0);
    expect(list.toArray()).toEqual([]);
    expect(list.oldestAt).toBeUndefined();
  });

  it("has dropped a promise by the time a handler the caller added after add() runs", async () => {
    const list = new SettleList<void>();
    const d = deferred<void>();
    const seen: number[] = [];
    list.add(d.promise).then(() => seen.push(list.size));
    d.resolve();
    await d.promise;
    await Promise.resolve();
    expect(seen).toEqual([0]);
  });

  it("keeps working as the newest settles first and new ones come after", async () => {
    const list = new SettleList<number>();
    const a = deferred<number>();
    const b = deferred<number>();
    list.add(a.promise, 10);
    list.add(b.promise, 20);
    b.resolve(1);
    await b.promise;
    const c = deferred<number>();
    list.add(c.promise, 30);
    expect(list.toArray()).toEqual([a.promise, c.promise]);
    a.resolve(1);
    await a.promise;
    expect(list.oldestAt).toBe(30);
    expect(list.toArray()).toEqual([c.promise]);
  });
});
