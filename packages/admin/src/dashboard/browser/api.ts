/** The admin API client, the bearer token it sends, and how failures reach the page. */
import { $ } from "./dom.js";

const TOKEN_KEY = "hookline-admin-token";

function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(t: string): void {
  try {
    sessionStorage.setItem(TOKEN_KEY, t);
  } catch {
    // private mode: the token lasts until the page is left
  }
}

// A link such as /#token=... signs in once; the fragment never reaches the server or its logs.
export function takeTokenFromHash(): void {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m?.[1]) return;
  setToken(decodeURIComponent(m[1]));
  history.replaceState(null, "", location.pathname + location.search);
}

function showError(err: unknown): void {
  const el = $("#error");
  const message = (err as { message?: unknown } | null | undefined)?.message;
  el.textContent = message ? String(message) : String(err);
  el.hidden = false;
}

export function clearError(): void {
  $("#error").hidden = true;
}

function showAuth(message: string): void {
  $("#auth").hidden = false;
  $("#app").hidden = true;
  $("#auth-message").textContent = message || "This admin API needs its bearer token.";
}

/** A 401: the sign-in form is already showing, so it is not reported again as an error. */
class Unauthorized {
  constructor(readonly message: string) {}
}

interface ApiErrorBody {
  readonly error?: { readonly code: string; readonly message: string };
}

export async function api<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: opts.method || "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const data: unknown = await res.json().catch(() => null);
  const err = (data as ApiErrorBody | null)?.error;
  if (res.status === 401) {
    showAuth(err ? err.message : "");
    throw new Unauthorized(err ? err.message : "unauthorized");
  }
  if (!res.ok) throw new Error(err ? `${err.code}: ${err.message}` : `HTTP ${res.status}`);
  return data as T;
}

/** A query string of the non-empty parameters ("" when there are none). */
export function query(params: Readonly<Record<string, string | null | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The catch of every user action: shows the failure unless it was the sign-in prompt. */
export function report(err: unknown): void {
  if (!(err instanceof Unauthorized)) showError(err);
}
