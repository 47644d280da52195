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
