import { type ErrorCode, socketErrorCode, type TransportFailure } from "@hookline/core";

// The client reports failures by class name; matching names keeps this independent of which
// copy of the client's error classes a build bundles.
const BY_NAME: Readonly<Record<string, ErrorCode>> = {
  JetStreamNotEnabled: "HOOKLINE_NATS_NO_STREAM",
  NoRespondersError: "HOOKLINE_NATS_NO_STREAM",
  TimeoutError: "HOOKLINE_TIMEOUT",
  AuthorizationError: "HOOKLINE_NATS_AUTHORIZATION",
  PermissionViolationError: "HOOKLINE_NATS_AUTHORIZATION",
  UserAuthenticationExpiredError: "HOOKLINE_NATS_AUTHORIZATION",
  ClosedConnectionError: "HOOKLINE_NATS_DISCONNECTED",
  DrainingConnectionError: "HOOKLINE_NATS_DISCONNECTED",
  JetStreamApiError: "HOOKLINE_NATS_REJECTED",
  StreamNotFoundError: "HOOKLINE_NATS_NO_STREAM",
};

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };

/** The error and its causes, outermost first (the client wraps socket errors). */
function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = err;
  while (typeof e === "object" && e !== null && out.length < 5) {
    out.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  return out;
}

function messageOf(err: unknown): string {
  if (err instanceof Error && err.message !== "") return err.message;
  return String(err);
}

/**
 * Map an error of the NATS client (connect or publish) to a failed outcome. `credentials` are
 * cut out of the message in case the client ever quotes them.
 */
export function mapNatsError(err: unknown, credentials: readonly string[] = []): TransportFailure {
  const links = chain(err);
  let message = messageOf(err);
  for (const secret of credentials) {
    if (secret !== "") message = message.split(secret).join("***");
  }
  const text = links.map((l) => (typeof l.message === "string" ? l.message : "")).join(" | ");
  if (/authorization violation|authentication|permissions violation/i.test(text)) {
    return { kind: "retryable", code: "HOOKLINE_NATS_AUTHORIZATION", message };
  }
  if (/no stream matches subject|no responders/i.test(text)) {
    return { kind: "retryable", code: "HOOKLINE_NATS_NO_STREAM", message };
  }
  // The client checks the server's max_payload before sending: the same message can never fit.
  if (/max_payload/i.test(text)) return { kind: "permanent", code: "HOOKLINE_NATS_REJECTED", message };
  for (const link of links) {
    const code = typeof link.code === "string" ? socketErrorCode(link.code) : undefined;
    if (code !== undefined) return { kind: "retryable", code, message };
  }
  for (const link of links) {
    if (typeof link.name === "string" && BY_NAME[link.name] !== undefined) {
      return { kind: "retryable", code: BY_NAME[link.name] as ErrorCode, message };
    }
  }
  if (/connection refused/i.test(text))
    return { kind: "retryable", code: "HOOKLINE_CONNECTION_REFUSED", message };
  return { kind: "retryable", code: "HOOKLINE_NETWORK_ERROR", message };
}
