import { storeConformance } from "../testing/store-conformance.js";
import { memoryStore } from "./memory-store.js";

storeConformance("memory", { create: () => memoryStore() });
