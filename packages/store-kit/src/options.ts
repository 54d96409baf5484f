/**
 * Option fragments every store declares the same way: one name, one range, one meaning.
 *
 *   timeoutMs  the deadline of one backend operation, retries included: 100 ms to 600 s, default 30 s
 *   tlsCa      PEM text of the CA certificate(s) to trust. A file is given as `@/path/to/ca.pem`,
 *              which the configuration loader reads (the registration lists tlsCa in fileOptions)
 */
import { readFileReference, z } from "@coffer/core";

export const MAX_TIMEOUT_MS = 600_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Milliseconds one operation may take before it is abandoned as unavailable. */
export const timeoutMs = () => z.number().int().min(100).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS);

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

/**
 * CA certificate(s) to trust, as PEM text. A deployment names a file (`fileOptions`), which the
 * loader reads before the schema runs; programs that build a store's options themselves (embedders,
 * tests) skip the loader, so a leftover `@/path` is read here, with the loader's error.
 */
export const tlsCa = () =>
  z.preprocess(
    (value) => readFileReference(value, "tlsCa"),
    z
      .string()
      .min(1)
      .refine(
        (pem) => pem.includes(PEM_CERTIFICATE),
        "must hold a PEM certificate (-----BEGIN CERTIFICATE-----…); give a file as @/path/to/ca.pem",
      ),
  );

/** Reports a problem with one option from a schema's superRefine, naming the option. */
export function optionProblem(context: z.RefinementCtx, option: string, message: string): void {
  context.addIssue({ code: "custom", path: [option], message });
}

/** The names every store registration lists in `fileOptions` when it declares `tlsCa`. */
export const TLS_FILE_OPTIONS: readonly string[] = ["tlsCa"];
