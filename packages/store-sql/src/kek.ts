/**
 * The contract of a key-encryption key (KEK) held by a KMS: it wraps and unwraps the store's data
 * keys and never hands out its own material. Each KMS lives in its own package (`@coffer/kms-aws`,
 * …) that implements this contract with the provider's SDK, so this package and core stay free of
 * cloud SDKs. `@coffer/stores` hands the sql store the registrations it may load, by name
 * (`COFFER_STORE_KEY_SOURCE=aws-kms`), the way it hands out stores.
 */
import type { Logger, z } from "@coffer/core";

/**
 * What a wrapped data key is bound to. Providers that support it (AWS KMS encryption context)
 * authenticate it, so a wrapped key copied into another deployment does not unwrap there.
 */
export type WrapContext = Readonly<Record<string, string>>;

export interface WrappedKey {
  /** The wrapped data key as text, stored in the database as it is. Not secret without the KMS. */
  wrapped: string;
  /** Which KEK (and version, when the provider says) wrapped it, for key status and messages. */
  kek: string;
}

export interface KeyEncryptionKey {
  /** For messages and key status, e.g. "AWS KMS key alias/coffer". Never secret. */
  readonly description: string;
  /**
   * A fresh 32-byte data key and its wrapped form, in one call where the provider offers it
   * (AWS GenerateDataKey). Optional: without it the store draws random bytes and calls `wrap`.
   */
  generate?(context: WrapContext): Promise<{ key: Buffer } & WrappedKey>;
  wrap(key: Buffer, context: WrapContext): Promise<WrappedKey>;
  /**
   * The data key's bytes. Fails with IntegrityError when this KEK did not wrap it (another key,
   * another deployment, altered), BackendUnavailableError when the KMS cannot be reached (retryable),
   * BackendAccessDeniedError when the KMS refuses the credentials or the key is disabled.
   */
  unwrap(wrapped: string, context: WrapContext): Promise<Buffer>;
  /**
   * Wraps a data key again under the KEK's current version without the key leaving the KMS, where
   * the provider offers it (Vault transit `rewrap`). Optional: without it `unwrap` then `wrap`.
   */
  rewrap?(wrapped: string, context: WrapContext): Promise<WrappedKey>;
  /** A cheap call that proves the KMS answers and knows the key (health checks). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface KeySourceContext {
  deploymentId: string;
  logger: Logger;
}

/** What a KMS package's default export is: its name, its options and how to make its KEK. */
export interface KeySourceRegistration<Options = unknown> {
  /** The value of option `keySource`, e.g. "aws-kms". */
  name: string;
  description: string;
  /** The schema of option `kms` for this source; checked before `create` is called. */
  optionsSchema: z.ZodType<Options>;
  /** Makes the KEK client; no I/O (the store's init does the first call). */
  create(options: Options, context: KeySourceContext): KeyEncryptionKey;
}

/** How the sql store finds a key source by name without importing it: loaded only when chosen. */
export type KeySourceLoaders = Readonly<Record<string, () => Promise<KeySourceRegistration>>>;

/** Typed helper for KMS packages: checks the shape at compile time. */
export function defineKeySource<Options>(
  registration: KeySourceRegistration<Options>,
): KeySourceRegistration<Options> {
  return registration;
}
