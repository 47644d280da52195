/** What the log stores in place of a secret. */
export const REDACTED = "[redacted]";

/** Headers Hookline sets itself whose values carry no secret; the log keeps them as sent. */
const HOOKLINE_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "webhook-id",
  "webhook-timestamp",
  "user-agent",
]);

/** Header names whose values never reach the log, whatever else says so. */
const CREDENTIAL_NAME =
  /(auth|cookie|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|passw|credential|signature|hmac|session)/i;

/**
 * Copy of an attempt's request `headers` as the log stores them. Values are kept only for
 * Hookline's own headers (content-type, webhook-id, webhook-timestamp, user-agent) and for names
 * in `showHeaders` (the endpoint's `showHeaders`, any case); every other value becomes
 * "[redacted]". A name that looks like a credential (*auth*, *cookie*, *token*, *secret*,
 * *api-key*, *access-key*, *password*, *credential*, *signature*, *hmac*, *session*) is
 * redacted even when listed. webhook-signature is always
 * redacted: it is a MAC of the body and would let a log reader test guesses against the secret.
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  showHeaders: readonly string[] = [],
): Record<string, string> {
  const shown = showHeaders.length === 0 ? undefined : new Set(showHeaders.map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const k in headers) {
    const name = k.toLowerCase();
    const keep = (HOOKLINE_HEADERS.has(name) || shown?.has(name) === true) && !isCredentialName(name);
    out[k] = keep ? (headers[k] as string) : REDACTED;
  }
  return out;
}

/**
 * Copy of `headers` with the values of credential-like names replaced by "[redacted]", every
 * other value unchanged. A second pass for stores: it can only hide more than redactHeaders
 * did, never show a value that pass hid.
 */
export function redactCredentialHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) out[k] = isCredentialName(k) ? REDACTED : (headers[k] as string);
  return out;
}

// Every attempt checks the same few header names; the verdict per name is kept (bounded).
const verdicts = new Map<string, boolean>();

function isCredentialName(name: string): boolean {
  let secret = verdicts.get(name);
  if (secret === undefined) {
    secret = CREDENTIAL_NAME.test(name);
    if (verdicts.size >= 1024) verdicts.clear();
    verdicts.set(name, secret);
  }
  return secret;
}

/**
 * `url` as the log stores and shows it: any `user:pass@` becomes `[redacted]@`, every non-empty
 * query value becomes `[redacted]` (keys stay, so `?apikey=s3cret&v=2` reads
 * `?apikey=[redacted]&v=[redacted]`), a query part without `=` and a fragment are redacted
 * whole. Works on text that does not parse as a URL, and a second pass changes nothing.
 */
export function redactUrl(url: string): string {
  let rest = url;
  let tail = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    tail = hash === rest.length - 1 ? "#" : `#${REDACTED}`;
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    tail = `?${redactQuery(rest.slice(q + 1))}${tail}`;
    rest = rest.slice(0, q);
  }
  return redactUserinfo(rest) + tail;
}

function redactQuery(query: string): string {
  if (query === "") return "";
  return query
    .split("&")
    .map((part) => {
      const eq = part.indexOf("=");
      if (eq < 0) return part === "" ? "" : REDACTED;
      return eq === part.length - 1 ? part : `${part.slice(0, eq + 1)}${REDACTED}`;
    })
    .join("&");
}

// The authority runs from the slashes after the scheme (or the start, for text without a
// scheme) to the next "/" or "\"; for http WHATWG reads any run of "/" and "\" there as "//",
// so "https:///u:p@host" has credentials too. Userinfo ends at its last "@".
function redactUserinfo(s: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]+/.exec(s);
  const start = scheme ? scheme[0].length : 0;
  const end = s.slice(start).search(/[/\\]/);
  const authority = end < 0 ? s.slice(start) : s.slice(start, start + end);
  const at = authority.lastIndexOf("@");
  if (at < 0) return s;
  return `${s.slice(0, start)}${REDACTED}${s.slice(start + at)}`;
}
