/** Small pieces every HTTP emulator needs: a size-bounded request body reader and the clock type. */
import type { IncomingMessage } from "node:http";

/** Thrown by `readBody` when a request body exceeds the emulator's limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Reads a whole request body, refusing more than `limit` bytes (the rest is discarded). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw new BodyTooLargeError(limit);
  return Buffer.concat(chunks);
}

/** The clock every emulator reads, in epoch milliseconds; tests inject one to move time. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
