/**
 * Creating a secret (key/value rows, private or public; a pasted .env or JSON document fills the
 * rows; a file can be a value) and editing one with check-and-set.
 * Editing never reads the values: each existing key shows an empty field ("unchanged"), and only
 * what is typed is sent (PATCH merges; a removed key is sent as null). The write carries the
 * version the form was loaded at (If-Match); if someone else wrote since, the API answers 412 and
 * the form says what changed (from the history, by key name) and offers to reload.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type HistoryVersion, type Secret, type WrittenSecret } from "../api.js";
import { parseDocument } from "../documents.js";
import { href, navigate } from "../router.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

interface Row {
  /** Stable across edits, for Preact's keys and the inputs' ids. */
  id: number;
  key: string;
  value: string;
  /** An existing key of the secret being edited (its value left alone unless typed). */
  existing: boolean;
  removed: boolean;
}

let nextRowId = 1;
const newRow = (key = "", existing = false): Row => ({
  id: nextRowId++,
  key,
  value: "",
  existing,
  removed: false,
});

export function SecretEditor({ session, id }: { session: Session; id?: string }) {
  const [loaded, setLoaded] = useState<Secret | null>(null);
  const [name, setName] = useState("");
  const [isPrivate, setIsPrivate] = useState(true);
  const [rows, setRows] = useState<Row[]>(() => (id ? [] : [newRow()]));
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<HistoryVersion[] | null>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    if (!id) return;
    try {
      const secret = await session.api.secretMetadata(id);
      setLoaded(secret);
      setName(secret.name);
      setIsPrivate(secret.private);
      setRows(secret.keys.map((key) => newRow(key, true)));
      setConflict(null);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void load();
  }, [id]);

  const update = (rowId: number, change: Partial<Row>) =>
    setRows((all) => all.map((row) => (row.id === rowId ? { ...row, ...change } : row)));

  /** A pasted .env, JSON or YAML document: its keys fill the rows (a key already there gets the value). */
  async function applyDocument(textarea: HTMLTextAreaElement) {
    try {
      const pairs = await parseDocument(textarea.value);
      setRows((all) => {
        const next = all.filter((row) => row.existing || row.key !== "" || row.value !== "");
        for (const [key, value] of pairs) {
          const index = next.findIndex((row) => row.key === key);
          if (index >= 0) next[index] = { ...(next[index] as Row), value, removed: false };
          else next.push({ ...newRow(key), value });
        }
        return next;
      });
      textarea.value = ""; // it held values: do not keep them on the page
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }

  async function loadFile(rowId: number, input: HTMLInputElement) {
    const file = input.files?.[0];
    if (!file) return;
    update(rowId, { value: await file.text() });
    input.value = "";
  }

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = loaded ? await saveEdit(loaded) : await create();
      navigate({ view: "secret", id: saved.id });
    } catch (caught) {
      // A conflict is shown in one piece: the API's words and, from the history, what changed.
      if (loaded && caught instanceof ApiError && caught.code === "VERSION_CONFLICT") {
        const history = await session.api.history(loaded.id).catch(() => null);
        setConflict(history ? history.versions.filter((version) => version.version > loaded.version) : []);
      }
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function create(): Promise<WrittenSecret> {
    const values: Record<string, string> = {};
    for (const row of rows) {
      if (row.key === "" && row.value === "") continue;
      values[row.key] = row.value;
    }
    return session.api.createSecret(name, values, isPrivate);
  }

  function saveEdit(secret: Secret): Promise<WrittenSecret> {
    const values: Record<string, string | null> = {};
    for (const row of rows) {
      if (row.removed) {
        if (row.existing) values[row.key] = null;
      } else if (!row.existing && row.key !== "") {
        values[row.key] = row.value;
      } else if (row.existing && row.value !== "") {
        values[row.key] = row.value;
      }
    }
    const change: { values?: Record<string, string | null>; name?: string; private?: boolean } = {};
    if (Object.keys(values).length) change.values = values;
    if (name !== secret.name) change.name = name;
    if (isPrivate !== secret.private) change.private = isPrivate;
    return session.api.patchSecret(secret.id, secret.version, change);
  }

  if (id && !loaded) return error ? <ErrorBox error={error} /> : <p>Loading…</p>;
  const isOwner = !loaded || loaded.ownerId === session.me.userId;
  const title = loaded ? `Edit ${loaded.name}` : "New secret";

  return (
    <section aria-labelledby="editor-title">
      <h1 id="editor-title">{title}</h1>
      <ErrorBox error={error}>
        {conflict ? (
          <div class="conflict">
            <p>
              Someone changed this secret after you opened it (you had version {loaded?.version}). Your
              changes are not saved.
            </p>
            {conflict.length ? (
              <ul>
                {conflict.map((version) => (
                  <li key={version.version}>
                    Version {version.version}: {version.action} by {version.createdBy}
                    {changed(version)}
                  </li>
                ))}
              </ul>
            ) : null}
            <button type="button" onClick={load}>
              Reload the latest version
            </button>
          </div>
        ) : null}
      </ErrorBox>
      <form class="editor" onSubmit={save}>
        <label for="secret-name">Name</label>
        <input
          id="secret-name"
          name="name"
          required
          value={name}
          autocomplete="off"
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <fieldset disabled={!isOwner}>
          <legend>Visibility</legend>
          <label>
            <input type="radio" name="visibility" checked={isPrivate} onChange={() => setIsPrivate(true)} />
            Private: only you see it
          </label>
          <label>
            <input type="radio" name="visibility" checked={!isPrivate} onChange={() => setIsPrivate(false)} />
            Public: everyone with a role that may read it
          </label>
          {isOwner ? null : <p class="help">Only the owner may change the visibility.</p>}
        </fieldset>
        <fieldset>
          <legend>Keys and values</legend>
          {rows.map((row, index) => (
            <div class={row.removed ? "row removed" : "row"} key={row.id}>
              <label for={`key-${row.id}`} class="visually-hidden">
                Key {index + 1}
              </label>
              <input
                id={`key-${row.id}`}
                name="key"
                placeholder="KEY"
                value={row.key}
                readOnly={row.existing}
                autocomplete="off"
                spellcheck={false}
                onInput={(event) => update(row.id, { key: event.currentTarget.value })}
              />
              <label for={`value-${row.id}`} class="visually-hidden">
                Value of key {index + 1}
              </label>
              <textarea
                id={`value-${row.id}`}
                name="value"
                rows={1}
                placeholder={row.existing ? "unchanged (hidden)" : "value"}
                value={row.value}
                disabled={row.removed}
                autocomplete="off"
                spellcheck={false}
                onInput={(event) => update(row.id, { value: event.currentTarget.value })}
              />
              <label class="button secondary file-button">
                File
                <input
                  type="file"
                  class="visually-hidden"
                  aria-label={`Load the value of key ${index + 1} from a file`}
                  disabled={row.removed}
                  onChange={(event) => loadFile(row.id, event.currentTarget)}
                />
              </label>
              <button
                type="button"
                onClick={() => update(row.id, { removed: !row.removed })}
                aria-label={row.removed ? `Keep key ${index + 1}` : `Remove key ${index + 1}`}
              >
                {row.removed ? "Keep" : "Remove"}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setRows((all) => [...all, newRow()])}>
            Add a key
          </button>
          <details class="paste">
            <summary>Paste a .env, JSON or YAML document</summary>
            <label for="paste-document" class="visually-hidden">
              A .env, JSON or YAML document
            </label>
            <textarea id="paste-document" rows={5} autocomplete="off" spellcheck={false} />
            <button
              type="button"
              onClick={() => applyDocument(document.getElementById("paste-document") as HTMLTextAreaElement)}
            >
              Add these keys
            </button>
          </details>
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {loaded ? "Save changes" : "Create secret"}
          </button>
          <a
            class="button secondary"
            href={loaded ? href({ view: "secret", id: loaded.id }) : href({ view: "secrets" })}
          >
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

function changed(version: HistoryVersion): string {
  const { added, changed: altered, removed, renamedFrom } = version.changes;
  const parts = [
    added.length ? `added ${added.join(", ")}` : "",
    altered.length ? `changed ${altered.join(", ")}` : "",
    removed.length ? `removed ${removed.join(", ")}` : "",
    renamedFrom ? `renamed from ${renamedFrom}` : "",
  ].filter(Boolean);
  return parts.length ? `: ${parts.join("; ")}` : "";
}
