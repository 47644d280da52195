import { describe, expect, it } from "vitest";
import { chunk, rowsPerStatement } from "./chunk.js";
import { truncateUtf8 } from "./text.js";

describe("chunk", () => {
  it("splits by count and by weight, giving an oversized item a run of its own", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([5, 1, 1, 9, 1], 10, (n) => n, 6)).toEqual([[5, 1], [1], [9], [1]]);
    expect(chunk([], 3)).toEqual([]);
  });

  it("keeps rows × params per statement under the bound-parameter limit", () => {
    expect(rowsPerStatement(32_766, 13, 500)).toBe(500);
    expect(rowsPerStatement(999, 13, 500)).toBe(76);
    expect(rowsPerStatement(10, 16, 500)).toBe(1);
  });
});

describe("truncateUtf8", () => {
  it("cuts at a character boundary and reports whether it cut", () => {
    expect(truncateUtf8("abc", 3)).toEqual({ text: "abc", truncated: false });
    expect(truncateUtf8("ab😀", 5)).toEqual({ text: "ab", truncated: true });
    expect(truncateUtf8("éé", 3)).toEqual({ text: "é", truncated: true });
    const long = "ü".repeat(10_000);
    const cut = truncateUtf8(long, 16_385);
    expect(Buffer.byteLength(cut.text)).toBe(16_384);
    expect(cut.truncated).toBe(true);
  });
});
