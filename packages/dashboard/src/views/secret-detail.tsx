/**
 * One secret: its metadata and key names (loaded with `values=false`, so no value travels), each
 * value hidden until revealed. A reveal is one audited read; the page keeps only the revealed
 * key's value, and revealing another key (or hiding) drops it. Delete asks for confirmation;
 * history lists each version's changes by key name, with rollback for writers.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type History, type Secret } from "../api.js";
import { href, navigate } from "../router.js";
import { canReadValues, canWrite, type Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

/** How long a copied value stays on the clipboard before the page clears it. */
export const CLIPBOARD_CLEAR_MS = 30_000;
let clipboardTimer: ReturnType<typeof setTimeout> | undefined;

export function SecretDetail({ session, id }: { session: Session; id: string }) {
  const [secret, setSecret] = useState<Secret | null>(null);
  const [revealed, setRevealed] = useState<{ key: string; value: string } | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");

  async function load() {
    try {
      setSecret(await session.api.secretMetadata(id));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void load();
  }, [id]);

  if (!secret) return error ? <ErrorBox error={error} /> : <p>Loading…</p>;
  const current = secret;
  const mayReveal = canReadValues(session.me, secret.ownerId);
  const mayWrite = canWrite(session.me);

  async function reveal(key: string) {
    try {
      const read = await session.api.secretWithValues(current.id);
      const value = read.values?.[key];
      if (value === undefined) {
        throw new ApiError(
          0,
          "NO_VALUE",
          `No value came back for ${key}.`,
          "It may have been removed: reload.",
        );
      }
      setRevealed({ key, value });
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }

  /** Copies one value without showing it (one audited read); the clipboard is cleared later. */
  async function copy(key: string) {
    try {
      const read = await session.api.secretWithValues(current.id);
      const value = read.values?.[key];
      if (value === undefined) {
        throw new ApiError(
          0,
          "NO_VALUE",
          `No value came back for ${key}.`,
          "It may have been removed: reload.",
        );
      }
      await navigator.clipboard.writeText(value);
      clearTimeout(clipboardTimer);
      clipboardTimer = setTimeout(() => {
        // Clear only if the clipboard still holds what was copied here (reading may be refused:
        // then clear anyway, since the value may still be there).
        navigator.clipboard
          .readText()
          .then((now) => (now === value ? navigator.clipboard.writeText("") : undefined))
          .catch(() => navigator.clipboard.writeText("").catch(() => undefined));
      }, CLIPBOARD_CLEAR_MS);
      setNotice(
        `Copied the value of ${key}; the clipboard is cleared in ${CLIPBOARD_CLEAR_MS / 1000} seconds.`,
      );
      setError(null);
    } catch (caught) {
      setError(
        caught instanceof ApiError
          ? caught
          : new ApiError(
              0,
              "CLIPBOARD",
              "The browser did not let the page use the clipboard.",
              "Reveal the value and copy it by hand.",
            ),
      );
    }
  }

  async function remove() {
    try {
      await session.api.deleteSecret(current.id, current.version);
      navigate({ view: "secrets" });
    } catch (caught) {
      setConfirming(false);
      setError(caught);
    }
  }

  async function showHistory() {
    try {
      setHistory(await session.api.history(current.id));
    } catch (caught) {
      setError(caught);
    }
  }

  async function rollback(toVersion: number) {
    try {
      const rolled = await session.api.rollback(current.id, current.version, toVersion);
      setRevealed(null);
      // The reply is the metadata only (the page asks for the minimal reply); the page reloads it.
      await load();
      setHistory(await session.api.history(current.id));
      setNotice(`Rolled back to the values of version ${toVersion}: now version ${rolled.version}.`);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <section aria-labelledby="secret-title">
      <div class="title-row">
        <h1 id="secret-title">{secret.name}</h1>
        {mayWrite ? (
          <div class="actions">
            <a class="button" href={href({ view: "edit-secret", id: secret.id })}>
              Edit
            </a>
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Delete
            </button>
          </div>
        ) : null}
      </div>
      {confirming ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text">
            Delete <strong>{secret.name}</strong> ({secret.private ? "private" : "public"}) and all its
            values?
          </p>
          <button type="button" class="danger" onClick={remove}>
            Yes, delete it
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      <ErrorBox error={error} />
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <dl class="metadata">
        <dt>Visibility</dt>
        <dd>{secret.private ? "private (only its owner sees it)" : "public"}</dd>
        <dt>Owner</dt>
        <dd>{secret.owner}</dd>
        <dt>Version</dt>
        <dd>{secret.version}</dd>
        <dt>Created</dt>
        <dd>{new Date(secret.createdAt).toLocaleString()}</dd>
        <dt>Updated</dt>
        <dd>{new Date(secret.updatedAt).toLocaleString()}</dd>
        <dt>Id</dt>
        <dd>
          <code>{secret.id}</code>
        </dd>
      </dl>
      <h2>Keys</h2>
      {mayReveal ? null : (
        <p class="help">
          Your role ({session.me.role}) may see key names but not values; ask an admin for the value-reader
          role.
        </p>
      )}
      <ul class="keys">
        {secret.keys.map((key) => (
          <li key={key}>
            <span class="key-name">{key}</span>
            {revealed?.key === key ? (
              <>
                <output class="value" aria-label={`Value of ${key}`}>
                  {revealed.value}
                </output>
                <button type="button" onClick={() => setRevealed(null)}>
                  Hide
                </button>
              </>
            ) : (
              <>
                <span class="hidden-value" aria-hidden="true">
                  ••••••••
                </span>
                {mayReveal ? (
                  <>
                    <button type="button" onClick={() => reveal(key)} aria-label={`Reveal ${key}`}>
                      Reveal
                    </button>
                    <button type="button" onClick={() => copy(key)} aria-label={`Copy ${key}`}>
                      Copy
                    </button>
                  </>
                ) : null}
              </>
            )}
          </li>
        ))}
      </ul>
      <h2>History</h2>
      {history ? (
        <ol class="history">
          {history.versions.map((version) => (
            <li key={version.version}>
              <strong>Version {version.version}</strong>: {version.action} by {version.createdBy},{" "}
              {new Date(version.created).toLocaleString()}. {summary(version.changes)}
              {mayWrite && version.version !== history.version ? (
                <button type="button" onClick={() => rollback(version.version)}>
                  Roll back to version {version.version}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <button type="button" onClick={showHistory}>
          Show history
        </button>
      )}
    </section>
  );
}

function summary(changes: History["versions"][number]["changes"]): string {
  const parts: string[] = [];
  if (changes.added.length) parts.push(`added ${changes.added.join(", ")}`);
  if (changes.changed.length) parts.push(`changed ${changes.changed.join(", ")}`);
  if (changes.removed.length) parts.push(`removed ${changes.removed.join(", ")}`);
  if (changes.renamedFrom) parts.push(`renamed from ${changes.renamedFrom}`);
  if (changes.private !== undefined) parts.push(changes.private ? "made private" : "made public");
  return parts.length ? `Keys: ${parts.join("; ")}.` : "";
}
