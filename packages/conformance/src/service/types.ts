/**
 * What the service suite asks for (a fresh deployment and sessions for several users) and what
 * each S-case gets: alice, bob and carol, and names unique to the case so cases can share a database.
 */
import type { SecretsSession } from "@coffer/core";

/** What the service suite drives: sessions for several users over one fresh deployment. */
export interface ServiceUnderTest {
  /** The API as user `userId` sees it. */
  session(userId: string): SecretsSession;
  /** The store's size limit, for the size cases. */
  maxValueBytes: number;
  close(): Promise<void>;
}

export interface ServiceConformanceOptions {
  /** Opens a service over a fresh (or at least unshared) metadata database. */
  open(): Promise<ServiceUnderTest>;
  /** Skip the 1,000-secret listing case (for slow backends); give the reason. */
  skipLargeListing?: string;
  /**
   * Cases known to fail here, by case id, each with the reason (a bug report): listed as skipped
   * with that reason instead of running.
   */
  knownFailures?: Record<string, string>;
}

export interface ServiceCaseContext {
  alice: SecretsSession;
  bob: SecretsSession;
  carol: SecretsSession;
  /** A name unique to this case: `name("db")` → "c12-x7k2-db". */
  name(base: string): string;
  /** The prefix every name from `name()` starts with, for filtering lists to this case. */
  prefix: string;
  maxValueBytes: number;
}

export interface ServiceCase {
  id: string;
  title: string;
  run(context: ServiceCaseContext): Promise<void>;
}
