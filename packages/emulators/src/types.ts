/** What every emulator's `start…Emulator()` accepts and returns. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind. 127.0.0.1 unless running inside a container, where 0.0.0.0 is needed. */
  host?: string;
}

export interface RunningEmulator {
  /** Base URL (or host:port for gRPC) clients point at. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and drops open ones, keeping all state (simulates an outage). */
  suspend(): Promise<void>;
  /** Listens again on the same port after suspend(). */
  resume(): Promise<void>;
  /** Stops for good. */
  stop(): Promise<void>;
}
