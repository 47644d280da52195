import { type ShowHeadersOf, showHeadersOf } from "../ops/records.js";
import type { CliContext } from "./context.js";

/**
 * The config's `showHeaders` per endpoint. When the endpoints do not resolve (a secret's
 * variable is unset where the admin runs), the names are read from the file as written: they
 * are header names, never values, and without them `redact` would hide what the config shows.
 */
export async function configuredShowHeaders(ctx: CliContext): Promise<ShowHeadersOf> {
  const config = await ctx.config();
  try {
    return showHeadersOf(config.endpoints());
  } catch {
    const byId = new Map<string, string[]>();
    for (const ep of Array.isArray(config.raw.endpoints) ? config.raw.endpoints : []) {
      const names: unknown = ep?.showHeaders;
      if (typeof ep?.id !== "string" || !Array.isArray(names)) continue;
      byId.set(
        ep.id,
        names.filter((n): n is string => typeof n === "string").map((n) => n.toLowerCase()),
      );
    }
    return (id) => byId.get(id) ?? [];
  }
}
