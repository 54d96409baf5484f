// The load generator, in a process of its own so that it never shares a CPU's time slices with the
// server it measures or with the bench's bookkeeping (in the bench process it got 0.75× of what an
// external generator gets). Usage: node generator.ts URL SECONDS CONNECTIONS NAMES TOKEN
// GETs URL/api/v1/secrets/by-name?name=bench-<i> for i cycling through NAMES, prints one JSON line.
import autocannon from "autocannon";

const [url, seconds, connections, names, token] = process.argv.slice(2);
if (!url || !seconds || !connections || !names) {
  console.error("usage: generator.ts URL SECONDS CONNECTIONS NAMES [TOKEN]");
  process.exit(2);
}
let next = 0;
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: token ? { authorization: `Bearer ${token}` } : {},
  requests: [
    {
      method: "GET",
      setupRequest: (request) => ({
        ...request,
        path: `/api/v1/secrets/by-name?name=bench-${next++ % Number(names)}`,
      }),
    },
  ],
});
console.log(
  JSON.stringify({
    perSecond: result.requests.total / Number(seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.errors + result.timeouts + result.non2xx,
  }),
);
