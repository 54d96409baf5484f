/** A running database server for one test file, with a database only that test file uses. */
export interface TestDatabase {
  /** Connection URL with user, password and database, e.g. postgres://test:test@localhost:32768/test. */
  readonly url: string;
  readonly dialect: "postgres" | "mysql";
  /** How it was started: a Testcontainers container, or an embedded server process (no Docker). */
  readonly via: "testcontainers" | "embedded";
  /** The container image, when `via` is "testcontainers". */
  readonly image?: string;
  /** Stops the server and removes its container or data directory. Safe to call twice. */
  stop(): Promise<void>;
}
