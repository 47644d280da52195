import { Agent } from "undici";

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
