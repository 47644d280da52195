import { HooklineError } from "@hookline/core";

/** How the service is deployed: which store and transport the container gets. */
export interface ServiceConfig {
  /** HTTP port of the service. @default 3000 */
  readonly port: number;
  /** `knex`: the delivery log in the service's own database (required for the outbox). */
  readonly store: { readonly kind: "knex"; readonly databaseUrl: string; readonly tablePrefix: string };
  /** `http`: real webhooks; `allow` lists internal receivers the SSRF guard lets through. */
  readonly transport: {
    readonly kind: "http";
    readonly allow: readonly string[];
    readonly timeoutMs: number;
  };
}

/** Read the deployment from the environment (12-factor style), validated once and frozen. */
export function configFromEnv(env: NodeJS.ProcessEnv): ServiceConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HooklineError("HOOKLINE_INVALID_OPTION", `PORT: expected 0–65535, got "${env.PORT}"`);
  }
  const storeKind = env.HOOKLINE_STORE ?? "knex";
  const transportKind = env.HOOKLINE_TRANSPORT ?? "http";
  if (storeKind !== "knex")
    throw new HooklineError("HOOKLINE_INVALID_OPTION", `HOOKLINE_STORE: expected "knex", got "${storeKind}"`);
  if (transportKind !== "http") {
    throw new HooklineError(
      "HOOKLINE_INVALID_OPTION",
      `HOOKLINE_TRANSPORT: expected "http", got "${transportKind}"`,
    );
  }
  return Object.freeze({
    port,
    store: Object.freeze({
      kind: "knex" as const,
      databaseUrl: env.DATABASE_URL ?? "mysql://root@127.0.0.1:3306/test",
      tablePrefix: env.HOOKLINE_TABLE_PREFIX ?? "hookline_",
    }),
    transport: Object.freeze({
      kind: "http" as const,
      allow: (env.HOOKLINE_SSRF_ALLOW ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      timeoutMs: Number(env.HOOKLINE_TIMEOUT_MS ?? 15_000),
    }),
  });
}
