/**
 * `{{name.key}}` references, validated and resolved in batches: one metadata query for all the
 * names, then ⌈K / batchGetMax⌉ store calls for K distinct secrets — never one call per reference.
 * Validation needs no store call at all: key names are in the metadata database.
 */
import {
  type Actor,
  chunk,
  findReferences,
  type LocatedReference,
  type ReferenceProblem,
  type SecretReference,
  type SecretsStore,
  type SecretValidationLevel,
  type SecretValues,
  substituteReferences,
  ValidationError,
  validateSecretName,
} from "@coffer/core";
import type { MetadataRepository } from "./metadata.js";
import type { SecretRow } from "./schema.js";

const LEVELS: readonly SecretValidationLevel[] = ["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"];

export class ReferenceResolver {
  constructor(
    private readonly metadata: MetadataRepository,
    private readonly store: SecretsStore,
  ) {}

  async validate(actor: Actor, config: unknown, level: SecretValidationLevel): Promise<ReferenceProblem[]> {
    const strictness = levelIndex(level);
    const located = normalized(findReferences(config));
    if (strictness === 0 || located.length === 0) return [];
    const rows = await this.#rowsByName(
      actor,
      located.map((each) => each.reference),
    );
    const problems: ReferenceProblem[] = [];
    for (const { path, reference } of located) {
      const problem = check(reference, rows, strictness);
      if (problem) problems.push({ path: path || "/", reference: reference.raw, ...problem });
    }
    return problems;
  }

  async resolve<T>(actor: Actor, config: T, level: SecretValidationLevel): Promise<T> {
    levelIndex(level);
    const located = normalized(findReferences(config));
    if (located.length === 0) return config;
    const rows = await this.#rowsByName(
      actor,
      located.map((each) => each.reference),
    );
    // Resolving needs every secret and key, whatever the validation level: report all gaps at once.
    const problems = located.flatMap(({ path, reference }) => {
      const problem = check(reference, rows, Math.max(levelIndex(level), 2));
      return problem ? [`${path || "/"}: ${problem.message}`] : [];
    });
    if (problems.length > 0) throw unresolved(problems);

    const ids = [...new Set([...rows.values()].map((row) => row.id))];
    const values = new Map<string, SecretValues>();
    for (const batch of chunk(ids, this.store.capabilities().batchGetMax)) {
      for (const [id, found] of await this.store.getMany(batch)) values.set(id, found);
    }
    return substituteReferences(config, (reference) => {
      const row = rows.get(reference.name.normalize("NFC"))!;
      const found = values.get(row.id);
      // Own keys only: a reference to key "constructor" must not find Object.prototype's.
      const value = found && Object.hasOwn(found, reference.key) ? found[reference.key] : undefined;
      if (value === undefined) {
        throw unresolved([`${reference.raw}: the values of secret '${reference.name}' could not be read`]);
      }
      return value;
    });
  }

  /** The row each referenced name resolves to for this actor: private first, then public. */
  async #rowsByName(actor: Actor, references: SecretReference[]): Promise<Map<string, SecretRow>> {
    const names = [...new Set(references.map((reference) => reference.name))];
    const rows = await this.metadata.findVisibleByNames(actor.id, names);
    const byName = new Map<string, SecretRow>();
    for (const row of rows.sort((a, b) => Number(a.private) - Number(b.private))) byName.set(row.name, row);
    return byName;
  }
}

/**
 * Every referenced name is checked (and normalised to NFC, as stored names are) before the
 * metadata query: a name no secret can have — one holding a NUL or a lone surrogate — is a typed
 * error on every database rather than a failed query on PostgreSQL.
 */
function normalized(located: LocatedReference[]): LocatedReference[] {
  return located.map(({ path, reference }) => {
    try {
      return { path, reference: { ...reference, name: validateSecretName(reference.name) } };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        `The reference ${reference.raw.slice(0, 80)} at ${path || "/"} names no possible secret: ${error.message}`,
        {
          hint: "Fix the secret name in the reference.",
          details: { field: "reference", path: path || "/" },
        },
      );
    }
  });
}

function check(
  reference: SecretReference,
  rows: Map<string, SecretRow>,
  strictness: number,
): Pick<ReferenceProblem, "problem" | "message"> | undefined {
  const row = rows.get(reference.name);
  if (!row) {
    return {
      problem: "secret-missing",
      message: `${reference.raw}: there is no secret named '${reference.name}'`,
    };
  }
  if (strictness >= 2) {
    const keys = JSON.parse(row.keys) as string[];
    if (!keys.includes(reference.key)) {
      return {
        problem: "key-missing",
        message: `${reference.raw}: secret '${reference.name}' has no key '${reference.key}' (its keys: ${keys.join(", ") || "none"})`,
      };
    }
  }
  return undefined;
}

function levelIndex(level: SecretValidationLevel): number {
  const index = LEVELS.indexOf(level);
  if (index < 0) {
    throw new ValidationError(`'${String(level)}' is not a validation level.`, {
      hint: `Use one of: ${LEVELS.join(", ")}.`,
      details: { field: "level" },
    });
  }
  return index;
}

function unresolved(problems: string[]): ValidationError {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return new ValidationError(`A secret reference cannot be resolved: ${problems[0]}${more}.`, {
    hint: "Create the missing secrets or keys (`coffer secret create`), or fix the references.",
    details: { field: "references", problems },
  });
}
