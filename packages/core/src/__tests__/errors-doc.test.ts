import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../errors/codes.js";
import { HooklineError } from "../errors/hookline-error.js";

const doc = fileURLToPath(new URL("../../../../docs/errors.md", import.meta.url));

describe("docs/errors.md", () => {
  it("lists exactly the codes in ERROR_CODES, in the same order", async () => {
    const text = await readFile(doc, "utf8");
    const documented = [...text.matchAll(/^\| `(HOOKLINE_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(ERROR_CODES));
  });
  it("every HooklineError carries its code in name, code and message", () => {
    const cause = new Error("driver said no");
    const e = new HooklineError("HOOKLINE_STORE_ERROR", "inserting events failed", { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: "HooklineError", code: "HOOKLINE_STORE_ERROR", cause });
    expect(e.message).toBe("HOOKLINE_STORE_ERROR: inserting events failed");
  });
});
