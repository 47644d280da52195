import { HooklineError } from "@hookline/core";

/** URL schemes the HTTP transport serves. */
export const HTTP_SCHEMES: readonly string[] = Object.freeze(["http", "https"]);

/**
 * The HTTP rules for an endpoint URL, checked at construction: http: or https: only, and no
 * credentials in the URL (they would reach logs and proxies; headers.authorization carries them).
 * Messages name the endpoint and never echo the URL's credentials.
 */
export function validateHttpEndpoint({
  endpointId,
  url,
}: {
  readonly endpointId: string;
  readonly url: string;
}): void {
  const where = `endpoint "${endpointId}" url`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new HooklineError("HOOKLINE_INVALID_CONFIG", `${where}: expected an absolute http(s) URL`, {
      cause,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `${where}: expected an http: or https: URL, got scheme "${parsed.protocol}"`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new HooklineError(
      "HOOKLINE_INVALID_CONFIG",
      `${where}: expected a URL without credentials (send them in headers.authorization instead)`,
    );
  }
}
