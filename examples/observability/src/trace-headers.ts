import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";

/** The trace context one request carried into the receiver. */
export interface ReceivedTraceContext {
  readonly path: string;
  /** The W3C `traceparent` header, or null when the endpoint does not propagate trace context. */
  readonly traceparent: string | null;
}

/**
 * Watch the trace headers every node:http server in this process receives, through Node's
 * `http.server.request.start` diagnostics channel: the quickstart's receiver stays as it is, and
 * the example still shows what reached it. Call the returned function to stop watching.
 */
export function watchTraceHeaders(onRequest: (r: ReceivedTraceContext) => void): () => void {
  const listener = (message: unknown) => {
    const req = (message as { request: IncomingMessage }).request;
    const header = req.headers.traceparent;
    onRequest({ path: req.url ?? "/", traceparent: typeof header === "string" ? header : null });
  };
  subscribe("http.server.request.start", listener);
  return () => void unsubscribe("http.server.request.start", listener);
}
