import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createHookline,
  type DeliveryStore,
  defineEvent,
  definePlugin,
  type EndpointConfig,
  generateSecret,
  TERMINAL_STATUSES,
} from "@hookline/core";
import {
  CLIENT_CERT,
  CLIENT_CN,
  CLIENT_KEY_ENCRYPTED,
  SERVER_127_CERT,
  SERVER_127_KEY,
  TEST_CA_CERT,
  TEST_CLIENT_PASSPHRASE,
  until,
} from "@hookline/core/testing";
import { knexStore } from "@hookline/store-knex";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SELF_SIGNED_CERT, SELF_SIGNED_KEY } from "./__fixtures__/self-signed.js";
import { startTlsReceiver, type TlsReceiver } from "./__fixtures__/tls-receiver.js";
import { httpTransport } from "./http-transport.js";

// Any payload passes: the test is about what reaches the log, not validation.
const anything = {
  "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) },
} as const;
const creditsAdded = defineEvent({
  code: "credits_added",
  description: "Credits were added.",
  schema: anything,
});

const sqlite = (filename: string) => ({
  client: "better-sqlite3",
  connection: { filename },
  useNullAsDefault: true,
});

/** Every row of every table in the SQLite file, as text. */
function dumpRows(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    return tables
      .map(({ name }) => {
        const rows = db.prepare(`select * from "${name}"`).all();
        return `${name}: ${JSON.stringify(rows, (_k, v) => (Buffer.isBuffer(v) ? v.toString("latin1") : v))}`;
      })
      .join("\n");
  } finally {
    db.close();
  }
}

/** The base64 lines of a PEM: any one of them in the log would be a leak. */
const bodyLines = (pem: string) => pem.split("\n").filter((l) => l !== "" && !l.startsWith("-----"));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

describe("TLS endpoints through createHookline and a SQLite log", () => {
  it("delivers with mutual TLS and stores no key, passphrase or certificate", async () => {
    const rx: TlsReceiver = await startTlsReceiver({
      cert: SERVER_127_CERT,
      key: SERVER_127_KEY,
      ca: TEST_CA_CERT,
      requestCert: true,
      rejectUnauthorized: true,
    });
    cleanup.push(() => rx.close());
    const dir = mkdtempSync(join(tmpdir(), "hookline-tls-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "log.sqlite");
    const view: DeliveryStore = knexStore({ knex: sqlite(file) });
    await view.migrate?.();
    cleanup.push(() => view.close());

    const endpoints: EndpointConfig[] = [
      {
        id: "ledger",
        url: `${rx.url}/ledger`,
        events: "*",
        secret: generateSecret(),
        tls: {
          ca: TEST_CA_CERT,
          cert: CLIENT_CERT,
          key: CLIENT_KEY_ENCRYPTED,
          passphrase: TEST_CLIENT_PASSPHRASE,
        },
      },
      {
        // Same receiver, a client certificate its CA did not sign: refused, and logged as such.
        id: "ledger-foreign-cert",
        url: `${rx.url}/ledger`,
        events: "*",
        signing: false,
        tls: { ca: TEST_CA_CERT, cert: SELF_SIGNED_CERT, key: SELF_SIGNED_KEY },
        retrySchedule: [],
      },
    ];
    const hooks = createHookline({
      plugins: [definePlugin({ name: "billing", events: [creditsAdded] as const })],
      endpoints,
      store: knexStore({ knex: sqlite(file) }),
      transport: httpTransport({ ssrf: { allow: ["127.0.0.1/32"] } }),
      worker: { pollIntervalMs: 50 },
    });
    await hooks.start();
    let stopped = false;
    cleanup.push(async () => {
      if (!stopped) await hooks.stop();
    });

    const emitted = await hooks.emit("credits_added", { buyerId: "b-1", credits: 5 });
    const ids = emitted.deliveries.map((d) => d.id);
    const settled = async () =>
      (await Promise.all(ids.map((id) => view.getDelivery(id)))).every(
        (d) => d !== null && TERMINAL_STATUSES.includes(d.status),
      );
    await until(settled, { timeoutMs: 10_000, everyMs: 25, what: "the deliveries to settle" });
    await hooks.stop();
    stopped = true;

    expect(rx.requests.map((r) => r.clientCn)).toEqual([CLIENT_CN]);
    const byEndpoint = Object.fromEntries(
      (await Promise.all(ids.map((id) => view.getDelivery(id)))).map((d) => [d!.endpointId, d!]),
    );
    expect(byEndpoint.ledger!.status).toBe("succeeded");
    expect(byEndpoint["ledger-foreign-cert"]!.attemptLog.map((a) => a.errorCode)).toEqual([
      "HOOKLINE_TLS_FAILURE",
    ]);

    const rows = dumpRows(file);
    // The dump does hold the log (so the searches below look at real rows)…
    expect(rows).toContain("ledger-foreign-cert");
    expect(rows).toContain("HOOKLINE_TLS_FAILURE");
    expect(rows).toContain(`${rx.url}/ledger`);
    // …and none of the TLS material.
    expect(rows).not.toContain(TEST_CLIENT_PASSPHRASE);
    expect(rows).not.toMatch(/-----(BEGIN|END)|PRIVATE KEY|Proc-Type/);
    for (const pem of [CLIENT_KEY_ENCRYPTED, CLIENT_CERT, TEST_CA_CERT, SELF_SIGNED_KEY, SELF_SIGNED_CERT]) {
      for (const line of bodyLines(pem)) expect(rows).not.toContain(line);
    }
  });
});
