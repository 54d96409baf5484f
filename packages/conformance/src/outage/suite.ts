/**
 * The outage suite: a store, and a SecretsService over it, while the backend cannot be reached.
 *
 *   describeOutageConformance("aws store + SQLite metadata", {
 *     open: async (hooks) => ({ service, store, outage: { begin, end }, held, close }),
 *   });
 *
 * Every case opens its own service (through `open`, with hooks the suite installs to cut writes
 * at a given step) and closes it afterwards, whatever the outcome; the outage is ended after each
 * case too, so a failed case does not leave the backend down for the next one. O1–O5 always run;
 * T1 (transient faults) and R1 (an outage at each backend request) when their options are given.
 */
import { afterEach, describe, it } from "vitest";
import { type OutageCase, openRecorded, outageCases, requestCutCase, transientFaultCase } from "./cases.js";
import type { OutageConformanceOptions, ServiceInOutage } from "./types.js";

/** The cases this store runs: O1–O5, then T1 per transient fault and R1 when configured. */
export function planOutageCases(options: OutageConformanceOptions): OutageCase[] {
  return [
    ...outageCases,
    ...Object.entries(options.transientFaults ?? {}).map(([name, arm]) => transientFaultCase(name, arm)),
    ...(options.requestCuts ? [requestCutCase] : []),
  ];
}

export function describeOutageConformance(name: string, options: OutageConformanceOptions): void {
  describe(`${name}: outage conformance`, () => {
    let open: ServiceInOutage[] = [];
    afterEach(async () => {
      const closing = open;
      open = [];
      for (const target of closing) {
        await target.outage.end();
        await target.close();
      }
    });

    for (const outageCase of planOutageCases(options)) {
      it(`${outageCase.id} ${outageCase.title}`, { timeout: 120_000 }, async () => {
        await outageCase.run({
          options,
          open: async (atStep) => {
            const opened = await openRecorded(options.open, atStep);
            open.push(opened.target);
            return opened;
          },
        });
      });
    }
  });
}
