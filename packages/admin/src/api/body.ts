import { invalidOption } from "../errors.js";

/** Reads typed fields from a JSON body, naming the field (`body.status`) in every error. */
export function bodyReader(body: Readonly<Record<string, unknown>>, allowed: readonly string[]) {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalidOption(`body.${key}`, `a known field (${allowed.join(", ")})`);
  }
  return {
    list(key: string): string[] | undefined {
      const v = body[key];
      if (v === undefined) return undefined;
      if (typeof v === "string") return [v];
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
      throw invalidOption(`body.${key}`, "a string or an array of strings", v);
    },
    string(key: string): string | undefined {
      const v = body[key];
      if (v === undefined || typeof v === "string") return v;
      throw invalidOption(`body.${key}`, "a string", v);
    },
    bool(key: string): boolean {
      const v = body[key];
      if (v === undefined || typeof v === "boolean") return v ?? false;
      throw invalidOption(`body.${key}`, "true or false", v);
    },
  };
}
