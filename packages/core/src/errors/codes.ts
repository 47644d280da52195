/**
 * Every stable error code Hookline uses, thrown (`HooklineError.code`) or carried in a
 * delivery outcome (`DeliveryOutcome.error.code`). `docs/errors.md` documents each one;
 * a test keeps the two lists identical.
 */
export const ERROR_CODES = {
  HOOKLINE_UNKNOWN_EVENT: "emit() was called with an event code no plugin defines.",
  HOOKLINE_INVALID_PAYLOAD: "The payload is not a plain object or fails its event schema.",
  HOOKLINE_UNSERIALIZABLE_PAYLOAD:
    "The payload cannot be serialised to JSON (BigInt, cycle, throwing toJSON).",
  HOOKLINE_PAYLOAD_TOO_LARGE: "The serialised body exceeds maxBodyBytes.",
  HOOKLINE_INVALID_EVENT_DEFINITION: "defineEvent() got a malformed code, description or schema.",
  HOOKLINE_DUPLICATE_EVENT: "Two plugins (or one plugin twice) define the same event code.",
  HOOKLINE_INVALID_PLUGIN: "A plugin is not of the form { name, events, register? }.",
  HOOKLINE_INVALID_CONFIG: "The endpoint configuration is invalid; the message names the endpoint and field.",
  HOOKLINE_CONFIG_NOT_FOUND: "No hookline.config.{ts,js,mjs,json} was found where one was expected.",
  HOOKLINE_CONFIG_LOAD_FAILED: "A config file exists but could not be read or evaluated.",
  HOOKLINE_INVALID_OPTION: "An option passed to a factory or createHookline() is invalid.",
  HOOKLINE_NOT_RUNNING: "The instance was stopped; it accepts no more emits.",
  HOOKLINE_STOP_TIMEOUT:
    "stop() gave up waiting for the store after worker.stopGraceMs + worker.stopStoreTimeoutMs.",
  HOOKLINE_STORE_ERROR: "The delivery store failed to read or write.",
  HOOKLINE_NOT_FOUND: "The delivery, event or endpoint asked for does not exist.",
  HOOKLINE_UNAUTHORIZED:
    "Admin API: missing or wrong bearer token, a foreign Origin, or a non-loopback client while auth is off.",
  HOOKLINE_INTERNAL_ERROR:
    "Admin API: an unexpected failure; details go to the server's logger, not the client.",
  HOOKLINE_SIGNATURE_MISSING:
    "verify(): a webhook-id, webhook-timestamp or webhook-signature header is missing.",
  HOOKLINE_SIGNATURE_INVALID: "verify(): no listed signature matches the body and secret.",
  HOOKLINE_TIMESTAMP_OUT_OF_TOLERANCE: "verify(): webhook-timestamp is malformed or too far from now.",
  HOOKLINE_HTTP_STATUS: "Outcome: the receiver answered with a non-2xx status.",
  HOOKLINE_REDIRECT: "Outcome: the receiver answered 3xx; redirects are never followed.",
  HOOKLINE_ENDPOINT_GONE: "Outcome: the receiver answered 410 Gone; the endpoint is disabled.",
  HOOKLINE_TIMEOUT: "Outcome: the attempt exceeded its total deadline.",
  HOOKLINE_CONNECT_TIMEOUT: "Outcome: the TCP/TLS connection was not established in time.",
  HOOKLINE_CONNECTION_REFUSED: "Outcome: the receiver refused the connection.",
  HOOKLINE_CONNECTION_RESET: "Outcome: the connection was reset or closed mid-request.",
  HOOKLINE_DNS_FAILURE: "Outcome: the host name did not resolve.",
  HOOKLINE_TLS_FAILURE: "Outcome: the TLS handshake or certificate check failed.",
  HOOKLINE_INVALID_RESPONSE: "Outcome: the receiver sent something that is not valid HTTP.",
  HOOKLINE_NETWORK_ERROR: "Outcome: another network failure.",
  HOOKLINE_SSRF_BLOCKED:
    "Outcome: the URL or a resolved address is forbidden by the SSRF guard; no socket opened.",
  HOOKLINE_ABORTED: "Outcome: the attempt was aborted (shutdown past its grace period).",
  HOOKLINE_ENDPOINT_UNKNOWN:
    "Outcome of an attempt not made: the delivery's endpoint is not configured in this process; the claim is given back, the delivery stays pending.",
  HOOKLINE_ENDPOINT_DISABLED: "Outcome: the delivery's endpoint is disabled; the delivery is cancelled.",
  HOOKLINE_SUPERSEDED:
    "A pending delivery was cancelled, never sent, because a newer event of the same code and subject replaced it (supersede).",
  HOOKLINE_TRANSPORT_ERROR: "Outcome: the transport threw instead of returning an outcome (a transport bug).",
  HOOKLINE_NATS_NO_STREAM:
    "Outcome: no JetStream stream captures the endpoint's NATS subject (no responders).",
  HOOKLINE_NATS_DISCONNECTED:
    "Outcome: the NATS connection is lost and the client is reconnecting; nothing was published.",
  HOOKLINE_NATS_AUTHORIZATION:
    "Outcome: the NATS server refused the credentials or the publish permission; a configuration fault.",
  HOOKLINE_NATS_REJECTED: "Outcome: the NATS server or the stream refused the message (size, stream limits).",
  HOOKLINE_NATS_BACKPRESSURE:
    "Outcome: the NATS transport already has maxInFlightPerServer publishes awaiting acknowledgement.",
  HOOKLINE_AMQP_NACK: "Outcome: the AMQP broker refused the message (basic.nack), e.g. a full queue.",
  HOOKLINE_AMQP_UNROUTABLE:
    "Outcome: the AMQP broker returned the message: no queue is bound for its exchange and routing key.",
  HOOKLINE_AMQP_CHANNEL_CLOSED:
    "Outcome: the AMQP channel closed before the broker confirmed the message (e.g. a missing exchange).",
  HOOKLINE_AMQP_ACCESS_REFUSED:
    "Outcome: the AMQP broker refused the login or the virtual host; a configuration fault.",
  HOOKLINE_AMQP_BACKPRESSURE:
    "Outcome: the AMQP transport has too many unconfirmed messages for the broker, or the broker blocks publishers.",
} as const;

/** A stable Hookline error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
