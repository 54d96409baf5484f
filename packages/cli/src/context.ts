/**
 * What every command gets: how to print (human text or --json), and the client, created on first
 * use so that `--help` and argument mistakes never open the store.
 */
import type { ClientOptions, CofferClient } from "@coffer/client";

export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  config?: string;
  insecure?: boolean;
}

export class Context {
  readonly json: boolean;
  readonly debug: boolean;
  /**
   * --insecure: the token may go over plain http:// to another machine. Without it the client
   * still reads COFFER_INSECURE (see @coffer/client, cleartext-token.ts).
   */
  readonly insecure: boolean;
  readonly #options: GlobalOptions;
  #client: CofferClient | undefined;

  constructor(options: GlobalOptions) {
    this.#options = options;
    this.json = Boolean(options.json);
    this.debug = Boolean(options.debug);
    this.insecure = Boolean(options.insecure);
  }

  async client(): Promise<CofferClient> {
    if (this.#client) return this.#client;
    const [{ createClient }, { createLogger }] = await Promise.all([
      import("@coffer/client"),
      import("@coffer/core"),
    ]);
    const options: ClientOptions = {};
    if (this.#options.config) options.configFile = this.#options.config;
    if (this.insecure) options.insecure = true;
    if (this.debug) options.logger = createLogger({ level: "debug", base: { component: "coffer" } });
    this.#client = createClient(options);
    return this.#client;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }

  /** A line for the person at the terminal (stdout). Not printed with --json. */
  say(text: string): void {
    if (!this.json) process.stdout.write(`${text}\n`);
  }

  /** A note that is not the command's result (stderr), e.g. a warning or where to find more. */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The command's result: JSON with --json, else the text from `human`. */
  result(data: unknown, human: () => string | undefined): void {
    if (this.json) {
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      return;
    }
    const text = human();
    if (text !== undefined && text !== "") process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }
}
