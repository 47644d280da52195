import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

/** The code of the error raised when a receiver closes right after a TLS 1.3 handshake. */
export const TLS_CLOSED_CODE = "HOOKLINE_TLS_CLOSED";

/**
 * How long a new TLS 1.3 connection with a client certificate waits for the receiver to accept
 * it. Covers a long round trip; a receiver that sends no session tickets costs this once per
 * connection, not per request.
 */
export const CONFIRM_GRACE_MS = 500;

type Done = (...args: [null, Socket] | [Error, null]) => void;

/**
 * In TLS 1.3 the receiver checks the client certificate after the client considers the handshake
 * done. Handed straight to undici, the socket carries the request at once; a receiver that refuses
 * the certificate sends an alert and closes with that request unread, the resulting reset wipes
 * the alert, and the failure looks like an ordinary reset. Waiting for the receiver's first
 * session ticket (sent once it accepted the handshake) lets a refusal surface as the TLS alert it
 * is, and nothing is written to a receiver that refused us.
 */
export function confirmHandshake(socket: Socket, graceMs: number, done: Done): void {
  const tls = socket as TLSSocket;
  if (typeof tls.getProtocol !== "function" || tls.getProtocol() !== "TLSv1.3") {
    done(null, socket);
    return;
  }
  let settled = false;
  const finish = (err: Error | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    socket.off("session", onSession).off("error", finish).off("close", onClose);
    if (err === null) done(null, socket);
    else {
      socket.destroy();
      done(err, null);
    }
  };
  // 'session' fires from inside TLS's read of the ticket; a request written right there is lost.
  const onSession = () => {
    if (!settled) setImmediate(() => finish(null));
  };
  const onClose = () => {
    const err: NodeJS.ErrnoException = new Error(
      "the receiver closed the connection right after the TLS handshake (did it refuse the client certificate?)",
    );
    err.code = TLS_CLOSED_CODE;
    finish(err);
  };
  // No ticket in time: the receiver may simply not issue them, so go ahead.
  const timer = setTimeout(() => finish(null), graceMs);
  socket.on("session", onSession).on("error", finish).on("close", onClose);
}
