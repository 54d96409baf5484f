// The baseline server: a bare node:http handler that answers GET /api/v1/secrets/by-name?name=X
// with the same PostgreSQL select Coffer runs, through a pg pool of the same size, and the row as
// JSON. No authentication, validation, store or audit: what a GET by name costs with nothing but
// HTTP and the database. Usage: node bare-server.ts DATABASE_URL POOL (prints "listening on PORT").
import http from "node:http";
import pg from "pg";
import { METADATA_SELECT, metadataSelectParameters } from "./metadata-select.ts";

const [databaseUrl, poolSize] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize) });
pool.on("error", () => undefined); // the database stopping at the end is not the baseline's concern

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  try {
    const result = await pool.query(
      METADATA_SELECT,
      metadataSelectParameters(url.searchParams.get("name") ?? "", "bench"),
    );
    const row = result.rows[0];
    response.writeHead(row ? 200 : 404, { "content-type": "application/json" });
    response.end(JSON.stringify(row ?? { error: "not found" }));
  } catch {
    response.writeHead(503).end();
  }
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => {
  server.close();
  void pool.end();
});
