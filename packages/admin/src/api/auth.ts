import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./http.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `authorization: Bearer <token>`. Both sides are hashed first so the comparison takes
 * the same time whatever the length or content of the guess.
 */
export function bearerCheck(token: string): (req: IncomingMessage) => void {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization ?? "";
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      throw new ApiError(
        401,
        "HOOKLINE_UNAUTHORIZED",
        m
          ? "authorization: expected the admin token, got a different one"
          : "authorization: expected a header 'Bearer <admin token>', got none",
        { "www-authenticate": 'Bearer realm="hookline-admin"' },
      );
    }
  };
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;
const LOOPBACK_PEER = /^(?:127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/;

/**
 * Without a token, only loopback peers that name a loopback host are served. The peer check
 * holds even if the handler is mounted on a public socket; the Host check turns away a
 * DNS-rebinding page (evil.example resolving to 127.0.0.1), which sends its own name.
 */
export function loopbackHostCheck(req: IncomingMessage): void {
  const peer = req.socket.remoteAddress ?? "";
  if (!LOOPBACK_PEER.test(peer))
    throw new ApiError(
      403,
      "HOOKLINE_UNAUTHORIZED",
      `peer: expected a loopback client when auth is off, got ${peer}`,
    );
  const host = req.headers.host ?? "";
  if (!LOOPBACK_HOST.test(host))
    throw new ApiError(
      403,
      "HOOKLINE_UNAUTHORIZED",
      `host: expected a loopback host (127.0.0.1, localhost, [::1]) when auth is off, got ${JSON.stringify(host)}`,
    );
}
