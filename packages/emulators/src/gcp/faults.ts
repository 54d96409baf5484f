// Fault injection: "make the next N calls fail" with the errors a client must treat as retryable.
// UNAVAILABLE is what a dropped or overloaded front end returns; RESOURCE_EXHAUSTED is quota
// throttling. These are the two codes the generated client retries for AccessSecretVersion.

export type GcpFaultCode = "UNAVAILABLE" | "RESOURCE_EXHAUSTED";

export interface GcpFault {
  code?: GcpFaultCode;
  /** Only calls to these RPCs (e.g. "AccessSecretVersion") fail and count; default: every RPC. */
  methods?: readonly string[];
}

interface PendingFault {
  remaining: number;
  code: GcpFaultCode;
  methods: readonly string[] | undefined;
}

export class GcpFaultQueue {
  private readonly pending: PendingFault[] = [];

  add(count: number, fault: GcpFault = {}): void {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError("failNext: count must be a positive integer");
    this.pending.push({ remaining: count, code: fault.code ?? "UNAVAILABLE", methods: fault.methods });
  }

  /** The fault this call must fail with, if any; consumes one. */
  take(method: string): GcpFaultCode | undefined {
    const fault = this.pending.find((f) => f.methods === undefined || f.methods.includes(method));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(this.pending.indexOf(fault), 1);
    return fault.code;
  }

  clear(): void {
    this.pending.length = 0;
  }

  get size(): number {
    return this.pending.reduce((n, f) => n + f.remaining, 0);
  }
}
