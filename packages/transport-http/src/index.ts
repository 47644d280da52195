export { httpTransport } from "./http-transport.js";
export type { HttpTransportOptions, SsrfOptions } from "./options.js";
export { registerHttpTransport } from "./register.js";
export { DEFAULT_USER_AGENT, VERSION } from "./version.js";
