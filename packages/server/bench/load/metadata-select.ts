/**
 * The select Coffer's server runs for a GET by name (MetadataRepository's byName lookup, as Kysely
 * compiles it for PostgreSQL), so that the baselines do the same database work as Coffer rather
 * than a simpler query.
 */
export const METADATA_SELECT =
  'select * from "coffer_secrets" where "state" in ($1, $2) and "name" = $3 and "scope" in ($4, $5)';

export function metadataSelectParameters(name: string, actorId: string): string[] {
  return ["active", "updating", name, actorId, ""];
}
