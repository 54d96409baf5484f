/**
 * Prints one line to the test output saying how a backend was started, so that CI logs show
 * which way each test ran (container from which image, or embedded server).
 */
export function announce(line: string): void {
  console.log(`[testkit] ${line}`);
}

export function seconds(sinceMs: number): string {
  return `${((performance.now() - sinceMs) / 1000).toFixed(1)} s`;
}
