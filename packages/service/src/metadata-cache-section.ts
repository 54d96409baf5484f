/**
 * The deploy-time setting of the read cache (metadata-cache.ts): `COFFER_METADATA_CACHE_ENTRIES`
 * (or `metadataCache: { entries }` in the YAML file), the most lookups it holds; 0 turns it off.
 * A front end that loads configuration registers the section (the server does, see start.ts).
 */
import { z } from "@coffer/core";
import { DEFAULT_CACHE_ENTRIES } from "./metadata-cache.js";

export const metadataCacheSettings = z
  .object({
    entries: z.number().int().min(0).max(10_000_000).default(DEFAULT_CACHE_ENTRIES),
  })
  .strict();

export const metadataCacheSection = { schema: metadataCacheSettings, envPrefix: "COFFER_METADATA_CACHE_" };
