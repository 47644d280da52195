import type { EndpointState } from "../contracts/store.js";
import type { MemoryControls } from "./memory-controls.js";
import type { MemTables } from "./memory-rows.js";

/** DeliveryStore.getEndpointStates over the memory tables and the endpoint controls. */
export function endpointStateRows(t: MemTables, controls: MemoryControls): EndpointState[] {
  const ids = new Set([...t.endpointStates.keys(), ...controls.endpointIds()]);
  // Plain string order, as the knex store reads them (ORDER BY endpoint_id).
  return [...ids]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((endpointId) => {
      const s = t.endpointStates.get(endpointId);
      return {
        endpointId,
        disabled: s?.disabled ?? false,
        disabledAt: s?.disabledAt ?? null,
        disabledReason: s?.disabledReason ?? null,
        updatedAt: s?.updatedAt ?? null,
        ...controls.stateOf(endpointId),
      };
    });
}

/** DeliveryStore.setEndpointDisabled over the memory tables: disabling cancels what is pending. */
export function setEndpointDisabledRow(
  t: MemTables,
  endpointId: string,
  disabled: boolean,
  reason: string | undefined,
  now: Date,
): { cancelled: number } {
  t.endpointStates.set(endpointId, {
    disabled,
    disabledAt: disabled ? now : null,
    disabledReason: disabled ? (reason ?? null) : null,
    updatedAt: now,
  });
  let cancelled = 0;
  if (disabled) {
    for (const d of t.deliveries.values()) {
      if (d.endpointId !== endpointId || d.status !== "pending") continue;
      Object.assign(d, { status: "cancelled", nextAttemptAt: null, updatedAt: now });
      cancelled++;
    }
  }
  return { cancelled };
}
