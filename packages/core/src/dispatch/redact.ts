/** Header names whose values never reach the log. */
const SECRET_HEADER = /(authorization|cookie|secret|token|api[-_]?key|password|signature)/i;

/**
 * Copy of `headers` safe to store: values of credential-like headers replaced by "[redacted]".
 * webhook-signature is redacted too: it is a MAC of the body and would let a log reader test
 * guesses against the secret.
 */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in headers) out[k] = isSecret(k) ? "[redacted]" : (headers[k] as string);
  return out;
}

// Every attempt redacts the same few header names; the verdict per name is kept (bounded).
const verdicts = new Map<string, boolean>();

function isSecret(name: string): boolean {
  let secret = verdicts.get(name);
  if (secret === undefined) {
    secret = SECRET_HEADER.test(name);
    if (verdicts.size >= 1024) verdicts.clear();
    verdicts.set(name, secret);
  }
  return secret;
}
