// The raw baseline: CONNECTIONS concurrent loops of Coffer's own metadata select through a pg pool
// of POOL connections, for SECONDS, in a process of its own (as the load generator is). Prints one
// JSON line: selects per second and how many failed. Usage:
// node raw-select.ts DATABASE_URL SECONDS CONNECTIONS POOL NAMES
import pg from "pg";
import { METADATA_SELECT, metadataSelectParameters } from "./metadata-select.ts";

const [databaseUrl, seconds, connections, poolSize, names] = process.argv.slice(2).map(String);
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize) });
let selects = 0;
let failed = 0;
const deadline = Date.now() + Number(seconds) * 1000;
await Promise.all(
  Array.from({ length: Number(connections) }, async (_, worker) => {
    let i = worker;
    while (Date.now() < deadline) {
      try {
        await pool.query(METADATA_SELECT, metadataSelectParameters(`bench-${i++ % Number(names)}`, "bench"));
        selects++;
      } catch {
        failed++;
      }
    }
  }),
);
await pool.end();
console.log(JSON.stringify({ perSecond: selects / Number(seconds), failed }));
