export { makeEvent, makeOutcome, makeResult, wait } from "./fixtures.js";
export { type StoreConformanceOptions, storeConformance } from "./store-conformance.js";
