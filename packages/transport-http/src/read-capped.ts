import type { Readable } from "node:stream";

/** A response body read up to a cap. Never throws: a failed read is reported in `error`. */
export interface CappedBody {
  readonly text: string;
  /** The body shown is not all of it: the cap was reached, or the read failed midway. */
  readonly truncated: boolean;
  /** Why the read stopped early, when it did not end cleanly or at the cap. */
  readonly error?: unknown;
}

/**
 * Read `stream` until `maxBytes`, then destroy it: undici then aborts the request and drops the
 * socket, so a huge or endless body costs at most one chunk past the cap, never the whole body.
 */
export async function readCapped(stream: Readable, maxBytes: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  const text = () => Buffer.concat(chunks, Math.min(size, maxBytes)).toString("utf8");
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      if (size < maxBytes) chunks.push(buf.subarray(0, maxBytes - size));
      size += buf.length;
      if (size > maxBytes) {
        stream.destroy();
        return { text: text(), truncated: true };
      }
    }
    return { text: text(), truncated: false };
  } catch (error) {
    return { text: text(), truncated: true, error };
  }
}
