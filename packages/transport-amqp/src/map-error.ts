import { socketErrorCode, type TransportFailure } from "@hookline/core";

/** Why a connection could not be opened or was lost, in core's terms; always retryable. */
export type ConnectionFailure = Pick<TransportFailure, "code" | "message">;

function messageOf(err: unknown): string {
  return err instanceof Error && err.message !== "" ? err.message : String(err);
}

/**
 * Map an error from connecting or from a lost connection. amqplib reports the broker's refusals
 * only in text: a login refused during the handshake names 403 ACCESS-REFUSED, and a vhost that
 * does not exist or is not permitted closes the connection in place of connection.open-ok.
 */
export function mapConnectionError(err: unknown, scrub: (text: string) => string): ConnectionFailure {
  const raw = scrub(messageOf(err));
  const code = (err as { code?: unknown } | null)?.code;
  if (/ACCESS[-_]REFUSED|\b403\b/.test(raw)) {
    return { code: "HOOKLINE_AMQP_ACCESS_REFUSED", message: `the broker refused the login: ${raw}` };
  }
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(raw) || /NOT[-_]ALLOWED|\b530\b/.test(raw)) {
    return {
      code: "HOOKLINE_AMQP_ACCESS_REFUSED",
      message: "the broker refused the virtual host: it does not exist, or the user has no permission on it",
    };
  }
  const mapped = typeof code === "string" ? socketErrorCode(code) : undefined;
  if (mapped !== undefined) return { code: mapped, message: raw };
  if (/connect ETIMEDOUT|Heartbeat timeout/i.test(raw))
    return { code: "HOOKLINE_CONNECT_TIMEOUT", message: raw };
  if (/Unexpected close|closed abruptly|socket hang up|ECONNRESET/i.test(raw)) {
    return { code: "HOOKLINE_CONNECTION_RESET", message: raw };
  }
  return { code: "HOOKLINE_NETWORK_ERROR", message: raw };
}
