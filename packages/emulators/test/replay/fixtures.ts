// Loads the replay fixtures: request → expected status, headers and body shape, re-expressed by hand
// from published recordings of the real service or from the provider's source text. Each file names
// its source; see test/fixtures/README.md for the format.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Exchange {
  /** Why this exchange is here, or what the recording showed that the emulator simplifies. */
  note?: string;
  request: {
    method: string;
    /** Path and query; `{name}`-style variables are filled in. */
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    /** Send no credentials (the first request of a client, or an auth check). */
    anonymous?: boolean;
  };
  response: {
    status: number;
    /** The body shape (see match.ts); absent means the response has no body. */
    body?: unknown;
    /** Header values as templates; names in lower case. */
    headers?: Record<string, string>;
  };
}

export interface Fixture {
  file: string;
  title: string;
  /** Where the facts come from: repository, path and what was recorded (date, API version). */
  source: string;
  /** Emulator options the recording's service had (e.g. a vault's soft-delete retention). */
  setup?: Record<string, unknown>;
  exchanges: Exchange[];
}

const ROOT = join(import.meta.dirname, "..", "fixtures");

export function loadFixtures(provider: "azure" | "azure-keys" | "vault" | "aws" | "gcp"): Fixture[] {
  const dir = join(ROOT, provider);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(dir, file), "utf8")) as Omit<Fixture, "file">),
    }));
}
