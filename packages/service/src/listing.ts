/**
 * Listing the secrets an actor can see: one page at a time, from the metadata database only, with
 * signed cursors (cursor-key.ts). A row that fails its seal check is left out and logged rather
 * than failing the page; reading it by name or id raises the IntegrityError.
 */
import type { Actor, ListQuery, Logger, SecretPage } from "@coffer/core";
import { CursorSigner } from "./cursor-key.js";
import { parseListQuery } from "./list-query.js";
import { type MetadataRepository, rowToMetadata } from "./metadata.js";

export class SecretListing {
  /** Loaded on the first list call: commands that never list never read it. */
  #cursorSigner: Promise<CursorSigner> | undefined;

  constructor(
    private readonly metadata: MetadataRepository,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {}

  /** One page of the secrets visible to `actor`. Never carries values. */
  async list(actor: Actor, query: ListQuery = {}): Promise<SecretPage> {
    const parsed = parseListQuery(query);
    const signer = await this.metadata.run(() => this.#loadCursorSigner());
    const page = await this.metadata.listPage(actor.id, parsed, signer);
    const items = page.rows.slice(0, page.limit);
    // A row that fails its seal check is left out and reported, so that one tampered row cannot
    // break everyone's listing; reading it by name or id raises the IntegrityError.
    const sealed = this.metadata.sealer!;
    const result: SecretPage = {
      items: items.flatMap((row) => {
        const problem = sealed.problem(row);
        if (!problem) return [rowToMetadata(row)];
        this.logger.warn("secret metadata failed its integrity check; left out of the listing", {
          secretId: row.id,
          reason: problem,
        });
        return [];
      }),
    };
    // The cursor follows the last row read, listed or not, so paging goes on past a bad row.
    if (page.rows.length > page.limit) result.nextCursor = page.cursorFor(items.at(-1)!);
    return result;
  }

  #loadCursorSigner(): Promise<CursorSigner> {
    this.#cursorSigner ??= CursorSigner.load(this.metadata, this.clock()).catch((error: unknown) => {
      this.#cursorSigner = undefined; // try again on the next call (the database may be back)
      throw error;
    });
    return this.#cursorSigner;
  }
}
