import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "./http.js";

/** What a route handler gets: the request, its parsed URL and path parameters. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: "GET" | "POST";
  /** e.g. "/api/deliveries/:id"; `:name` matches one path segment. */
  readonly path: string;
  /** Static assets are public; everything else needs the token. */
  readonly public?: boolean;
  /** Returns a JSON value to send with 200, or undefined when it answered itself. */
  readonly handle: (ctx: RouteContext) => Promise<unknown> | unknown;
}

interface Compiled {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/:([a-z]+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/**
 * Finds the route for a request; a known path with another method is a 405. HEAD is answered by
 * the GET route (node:http sends its status and headers without the body).
 */
export function createRouter(routes: readonly Route[]) {
  const compiled = routes.map(compile);
  return (method: string, pathname: string): { route: Route; params: Record<string, string> } => {
    const onPath = compiled
      .map((c) => ({ c, m: c.pattern.exec(pathname) }))
      .filter((x): x is { c: Compiled; m: RegExpExecArray } => x.m !== null);
    const wanted = method === "HEAD" ? "GET" : method;
    const hit = onPath.find((x) => x.c.route.method === wanted);
    if (hit) {
      const params: Record<string, string> = {};
      hit.c.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(hit.m[i + 1]!);
        } catch {
          throw new ApiError(400, "HOOKLINE_INVALID_OPTION", `${n}: expected a URL-encoded path segment`);
        }
      });
      return { route: hit.c.route, params };
    }
    if (onPath.length > 0) {
      const methods = new Set<string>(onPath.map((x) => x.c.route.method));
      if (methods.has("GET")) methods.add("HEAD");
      const allowed = [...methods].join(", ");
      throw new ApiError(405, "HOOKLINE_NOT_FOUND", `${method} ${pathname}: expected ${allowed}`, {
        allow: allowed,
      });
    }
    throw new ApiError(404, "HOOKLINE_NOT_FOUND", `${method} ${pathname}: expected a known route (see /api)`);
  };
}
