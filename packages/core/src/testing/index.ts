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
export {
  CLIENT_CERT,
  CLIENT_CN,
  CLIENT_KEY,
  CLIENT_KEY_ENCRYPTED,
  CLIENT_KEY_TRADITIONAL_ENCRYPTED,
  SERVER_127_CERT,
  SERVER_127_KEY,
  SERVER_NAME,
  SERVER_NAMED_CERT,
  SERVER_NAMED_KEY,
  TEST_CA_CERT,
  TEST_CLIENT_PASSPHRASE,
  UNRELATED_KEY,
} from "./test-ca.js";
export { makeRequest, type TransportTestSettings } from "./test-request.js";
export {
  httpTransportConformance,
  type TransportConformanceOptions,
  transportConformance,
} from "./transport-conformance.js";
export { type UntilOptions, until } from "./until.js";
