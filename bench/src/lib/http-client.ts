import { Agent, type Dispatcher } from "undici";

/**
 * The same client setup as @hookline/transport-http's defaults (undici Agent, keep-alive,
 * 32 connections per origin, no pipelining), so the ceiling and the baseline differ from
 * Hookline only in what they leave out.
 */
export const newAgent = (): Agent =>
  new Agent({
    connections: 32,
    pipelining: 1,
    keepAliveTimeout: 4000,
    keepAliveMaxTimeout: 4000,
    // The transport's default 15 s deadline: no request of the bench can hang a run.
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });

/**
 * One POST through undici's dispatch API with a handler that keeps status and body: the path
 * @hookline/transport-http sends on, minus its deadline, SSRF check and outcome mapping. The
 * HTTP-only ceiling uses it so the ceiling is the same client at its leanest.
 */
export function post(
  agent: Dispatcher,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    agent.dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: "POST", headers, body },
      {
        // Its presence tells undici this handler speaks the v7 callback API.
        onRequestStart: () => {},
        onResponseStart: (_c, code) => {
          status = code;
        },
        onResponseData: (_c, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => resolve({ status, body: Buffer.concat(chunks).toString("utf8") }),
        onResponseError: (_c, err) => reject(err),
      },
    );
  });
}
