import { HooklineError } from "../errors/hookline-error.js";

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replace `${NAME}` and `${NAME:-default}` in `value` from `env`. A variable that is unset
 * (and has no default) is an error naming `where`, so a typo never becomes a literal URL.
 */
export function substituteEnv(value: string, where: string, env: NodeJS.ProcessEnv): string {
  return value.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== "") return v;
    if (fallback !== undefined) return fallback;
    throw new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `${where}: expected environment variable ${name} to be set (referenced as \${${name}}), but it is not`,
    );
  });
}

// The authority's userinfo as written, before substitution: `scheme://user:pass@`.
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*@)/;

/**
 * substituteEnv for a URL. Values placed in the userinfo (`${USER}:${PASS}@`) are percent-encoded,
 * so a password holding `/ ? # @ :` stays a password instead of moving the host or the path (and
 * leaking part of itself into what is shown as the host). Transports decode userinfo as usual, so
 * the variable holds the plain secret.
 */
export function substituteUrlEnv(value: string, where: string, env: NodeJS.ProcessEnv): string {
  const m = USERINFO.exec(value);
  if (!m) return substituteEnv(value, where, env);
  const [whole, scheme, userinfo] = m as unknown as [string, string, string];
  const encoded = userinfo.replace(PLACEHOLDER, (placeholder) =>
    encodeURIComponent(substituteEnv(placeholder, where, env)),
  );
  return scheme + encoded + substituteEnv(value.slice(whole.length), where, env);
}
