/**
 * How long a writer waits before it looks at a locked row again: exponential backoff with full
 * jitter (2 ms doubling to at most 50 ms, a random part of it), so that writers in other processes
 * that met the same lock spread out instead of retrying in step.
 */
export async function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** Math.min(attempt, 6));
  await new Promise((resolve) => setTimeout(resolve, ms));
}
