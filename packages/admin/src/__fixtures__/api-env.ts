import type { DeliveryStore } from "@hookline/core";
import { resolveEndpoints } from "@hookline/core";
import { afterAll, beforeAll } from "vitest";
import { createAdminServer } from "../index.js";
import { type LiveHookline, startLiveHookline, testEndpoints } from "./live-hookline.js";
import { tempSqliteStore } from "./sqlite-store.js";

export const TOKEN = "test-admin-token-0123456789abcdef";

export interface ApiEnv {
  readonly store: DeliveryStore;
  readonly live: LiveHookline;
  readonly ids: readonly string[];
  readonly url: string;
  /** fetch against the server with the token (unless headers say otherwise). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<ApiAnswer>;
}

/** An answer's status, headers and parsed JSON body. */
export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON that each test asserts field by field
  readonly body: any;
}

/** The admin server with a token on 127.0.0.1, over a real SQLite log filled by a running Hookline. */
export function useApiEnv(rounds: number, extra: { maxPageSize?: number } = {}): () => ApiEnv {
  let env: ApiEnv | undefined;
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    const db = await tempSqliteStore();
    const live = await startLiveHookline(db.file, db.store);
    const ids = await live.emitRounds(rounds);
    const endpoints = resolveEndpoints(testEndpoints(live.receiver.baseUrl), {
      knownCodes: ["add_credits", "post_code_change", "user_credits_zero"],
    });
    const server = createAdminServer({ store: db.store, endpoints, token: TOKEN, port: 0, ...extra });
    const url = await server.listen();
    cleanups.push(
      () => server.close(),
      () => live.stop(),
      () => db.cleanup(),
    );
    env = {
      store: db.store,
      live,
      ids,
      url,
      async call(path, init = {}) {
        const { json, ...rest } = init;
        const headers = new Headers(rest.headers);
        if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
        if (json !== undefined) headers.set("content-type", "application/json");
        const res = await fetch(url + path, {
          ...rest,
          headers,
          ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? "POST" } : {}),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        return { status: res.status, headers: res.headers, body };
      },
    };
  });
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  return () => {
    if (!env) throw new Error("useApiEnv: not set up");
    return env;
  };
}
