import {
  createHookline,
  type DeliveryStore,
  type DispatchMode,
  defineEvent,
  definePlugin,
  type EndpointConfig,
  memoryTransport,
  type WorkerOptions,
} from "@hookline/core";
import { memoryReceiver, TEST_SECRET } from "@hookline/core/testing";

const ping = defineEvent({
  code: "ping",
  description: "A test event.",
  schema: {
    "~standard": { version: 1, vendor: "test", validate: (value) => ({ value: value as { n: number } }) },
  },
});

/**
 * A Hookline on `store` with one event, `ping`, and one endpoint, `a` (with `extra.endpoint`'s
 * settings), on an in-memory receiver.
 */
export function testHooks(
  store: DeliveryStore,
  worker: WorkerOptions = {},
  extra: { readonly mode?: DispatchMode; readonly endpoint?: Partial<EndpointConfig> } = {},
) {
  const receiver = memoryReceiver();
  const hooks = createHookline({
    plugins: [definePlugin({ name: "test", events: [ping] as const })],
    endpoints: [
      { id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: TEST_SECRET, ...extra.endpoint },
    ],
    store,
    transport: memoryTransport({ receiver }),
    worker,
    ...(extra.mode ? { mode: extra.mode } : {}),
  });
  return { hooks, receiver };
}
