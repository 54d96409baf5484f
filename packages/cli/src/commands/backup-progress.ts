/**
 * Progress of a long backup or restore on standard error: a bar redrawn in place on a terminal
 * (count, bytes, rate, time left), else a plain line (a JSON line with --json) every few seconds,
 * so logs and CI show that it moves without filling up.
 */
export interface ProgressSample {
  phase: string;
  done: number;
  total?: number;
  bytes?: number;
}

export class ProgressReporter {
  readonly #tty: boolean;
  readonly #json: boolean;
  readonly #started = Date.now();
  #lastDraw = 0;
  #phaseStarted = Date.now();
  #phase = "";
  #drewBar = false;

  constructor(options: { json: boolean; stream?: NodeJS.WriteStream }) {
    this.#json = options.json;
    this.#tty = !options.json && Boolean((options.stream ?? process.stderr).isTTY);
  }

  update(sample: ProgressSample): void {
    const now = Date.now();
    if (sample.phase !== this.#phase) {
      this.#phase = sample.phase;
      this.#phaseStarted = now;
      this.#lastDraw = 0;
      if (this.#drewBar) process.stderr.write("\n");
      this.#drewBar = false;
    }
    const every = this.#tty ? 100 : 2000;
    if (now - this.#lastDraw < every && sample.done !== sample.total) return;
    this.#lastDraw = now;
    const seconds = Math.max((now - this.#phaseStarted) / 1000, 0.001);
    const rate = sample.done / seconds;
    const eta = sample.total !== undefined && rate > 0 ? (sample.total - sample.done) / rate : undefined;
    if (this.#json) {
      process.stderr.write(
        `${JSON.stringify({ progress: { ...sample, ratePerSecond: Math.round(rate), etaSeconds: eta === undefined ? null : Math.ceil(eta) } })}\n`,
      );
      return;
    }
    const parts = [
      sample.phase,
      sample.total !== undefined ? `${sample.done}/${sample.total} secrets` : `${sample.done} secrets`,
    ];
    if (sample.bytes !== undefined) parts.push(formatBytes(sample.bytes));
    parts.push(`${Math.round(rate)}/s`);
    if (eta !== undefined) parts.push(`ETA ${Math.ceil(eta)}s`);
    if (this.#tty) {
      const bar = sample.total ? barOf(sample.done / Math.max(sample.total, 1)) : "";
      process.stderr.write(`\r\x1b[2K${bar}${parts.join("  ")}`);
      this.#drewBar = true;
    } else {
      process.stderr.write(`${parts.join("  ")}\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.#drewBar) process.stderr.write("\n");
    this.#drewBar = false;
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.#started) / 1000;
  }
}

function barOf(fraction: number): string {
  const width = 24;
  const full = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}] `;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
