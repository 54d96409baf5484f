/**
 * Checks for the small input fields that reads and writes share (a visibility flag, an expected
 * version): a wrong type is a ValidationError that names the field, before any query runs.
 */
import { ValidationError } from "@coffer/core";

export function parseBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  throw new ValidationError(`'${field}' must be true or false, not ${JSON.stringify(value)}.`, {
    hint: `Pass ${field}: true or ${field}: false.`,
    details: { field },
  });
}

export function parseExpectedVersion(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new ValidationError(
    `The expected version must be a whole number ≥ 0, not ${JSON.stringify(value)}.`,
    {
      hint: "Pass the version you read (0 means the secret must not exist yet).",
      details: { field: "expectedVersion" },
    },
  );
}
