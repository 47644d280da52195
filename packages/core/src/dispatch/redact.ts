/** Header names whose values never reach the log. */
const SECRET_HEADER = /(authorization|cookie|secret|token|api[-_]?key|password|signature)/i;

/**
 * Copy of `headers` safe to store: values of credential-like headers replaced by "[redacted]".
 * webhook-signature is redacted too: it is a MAC of the body and would let a log reader test
 * guesses against the secret.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADER.test(k) ? "[redacted]" : v;
  return out;
}
