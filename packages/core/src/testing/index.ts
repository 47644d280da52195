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
export { receiverProbe } from "./receiver-probe.js";
export { TEST_SECRET } from "./secrets.js";
export {
  SINK_TEST_SETTINGS,
  type SinkConformanceOptions,
  type SinkDestination,
  type SinkMessage,
  type SinkProbe,
  sinkConformance,
} from "./sink-conformance.js";
export { type StoreConformanceOptions, storeConformance } from "./store-conformance.js";
export { makeRequest, type TransportTestSettings } from "./test-request.js";
export {
  httpTransportConformance,
  type TransportConformanceOptions,
  transportConformance,
} from "./transport-conformance.js";
