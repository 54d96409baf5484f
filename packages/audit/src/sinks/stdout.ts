/**
 * Standard output, for log shippers: one JSON line per record. The server's logs go to standard
 * output too, but in pino's shape (`level`, `msg`); an audit line is the record itself (`seq`,
 * `action`, `hash`) and nothing else, so a shipper tells them apart by shape.
 */
import { canonical } from "../chain.js";
import type { AuditRecord } from "../record.js";
import type { AuditSink } from "./sink.js";

export class StdoutSink implements AuditSink {
  readonly kind = "stdout" as const;
  readonly location = "standard output";

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  async write(records: readonly AuditRecord[]): Promise<void> {
    const line = records.map((record) => `${canonical(record)}\n`).join("");
    await new Promise<void>((resolve, reject) => {
      this.out.write(line, (error) => (error ? reject(error) : resolve()));
    });
  }

  async close(): Promise<void> {}
}
