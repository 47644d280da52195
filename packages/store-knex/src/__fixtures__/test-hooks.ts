import {
  createHookline,
  type DeliveryStore,
  defineEvent,
  definePlugin,
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

/** A Hookline on `store` with one event, `ping`, and one endpoint, `a`, on an in-memory receiver. */
export function testHooks(store: DeliveryStore, worker: WorkerOptions = {}) {
  const receiver = memoryReceiver();
  const hooks = createHookline({
    plugins: [definePlugin({ name: "test", events: [ping] as const })],
    endpoints: [{ id: "a", url: `${receiver.baseUrl}/a`, events: "*", secret: TEST_SECRET }],
    store,
    transport: memoryTransport({ receiver }),
    worker,
  });
  return { hooks, receiver };
}
