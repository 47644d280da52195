export { type FakeClock, fakeClock } from "./fake-clock.js";
export { makeEvent, makeOutcome, makeResult, wait } from "./fixtures.js";
export {
  memoryReceiver,
  type ReceivedRequest,
  type ReceiverReply,
  type ReceiverScript,
  startHttpReceiver,
  type TestReceiver,
} from "./receiver.js";
export { TEST_SECRET } from "./secrets.js";
export { type StoreConformanceOptions, storeConformance } from "./store-conformance.js";
export {
  makeRequest,
  type TransportConformanceOptions,
  type TransportTestSettings,
  transportConformance,
} from "./transport-conformance.js";
