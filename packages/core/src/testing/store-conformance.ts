import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryStore } from "../contracts/store.js";
import { adminCases } from "./conformance/admin-cases.js";
import { backlogCases } from "./conformance/backlog-cases.js";
import { breakerCases } from "./conformance/breaker-cases.js";
import { deliveryCases } from "./conformance/delivery-cases.js";
import { demotionCases } from "./conformance/demotion-cases.js";
import { endpointFilterCases } from "./conformance/endpoint-filter-cases.js";
import { exactMatchCases } from "./conformance/exact-match-cases.js";
import { insertCases } from "./conformance/insert-cases.js";
import { orderingCases } from "./conformance/ordering-cases.js";
import { rateLimitCases } from "./conformance/rate-limit-cases.js";
import { redactCases } from "./conformance/redact-cases.js";
import { replayCases } from "./conformance/replay-cases.js";
import { supersedeCases } from "./conformance/supersede-cases.js";
import { traceContextCases } from "./conformance/trace-context-cases.js";

/** How the suite gets a fresh, migrated-or-not store per test and cleans up after it. */
export interface StoreConformanceOptions {
  /** A new, empty store (the suite calls migrate()). */
  readonly create: () => Promise<DeliveryStore> | DeliveryStore;
  /** Called after close(), e.g. to drop the test's tables. */
  readonly destroy?: (store: DeliveryStore) => Promise<void>;
  /** Lease used where a test waits for expiry; raise it for slow databases. @default 150 */
  readonly leaseMs?: number;
}

/**
 * The contract every DeliveryStore must honour (keyv-style): run it from each adapter's tests.
 * It relies on real time passing for leases, since stores compare times on their own clock.
 */
export function storeConformance(name: string, opts: StoreConformanceOptions): void {
  const leaseMs = opts.leaseMs ?? 150;
  describe(`DeliveryStore conformance: ${name}`, () => {
    let store: DeliveryStore;
    beforeEach(async () => {
      store = await opts.create();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
      await opts.destroy?.(store);
    });

    it("migrate() is idempotent", async () => {
      await store.migrate();
      await store.migrate();
      expect((await store.listDeliveries({}, { limit: 10 })).items).toEqual([]);
    });

    const ctx = { store: () => store, leaseMs };
    insertCases(ctx);
    deliveryCases(ctx);
    endpointFilterCases(ctx);
    adminCases(ctx);
    redactCases(ctx);
    exactMatchCases(ctx);
    replayCases(ctx);
    traceContextCases(ctx);
    backlogCases(ctx);
    orderingCases(ctx);
    demotionCases(ctx);
    supersedeCases(ctx);
    rateLimitCases(ctx);
    breakerCases(ctx);
  });
}
