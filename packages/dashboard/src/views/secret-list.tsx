/**
 * The secrets list: filters (name contains, private/public), sort, and keyset paging with the
 * API's cursor (each page asks for the next one by the cursor the last gave; the cursors of the
 * pages before are kept to go back). Search as you type, a quarter second after the last key.
 * Metadata only: the list endpoint never returns values.
 */
import { useEffect, useState } from "preact/hooks";
import type { SecretPage } from "../api.js";
import { href } from "../router.js";
import { canWrite, type Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

type Visibility = "" | "true" | "false";

export function SecretList({ session }: { session: Session }) {
  const [contains, setContains] = useState("");
  const [visibility, setVisibility] = useState<Visibility>("");
  const [sort, setSort] = useState("name");
  const [limit, setLimit] = useState(20);
  // cursors[i] is the cursor of page i (undefined: the first page).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<SecretPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [debounced, setDebounced] = useState("");

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(contains), 250);
    return () => clearTimeout(timer);
  }, [contains]);

  // A new filter starts again at the first page.
  useEffect(() => setCursors([undefined]), [debounced, visibility, sort, limit]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let stale = false;
    const query = new URLSearchParams({ sort, limit: String(limit) });
    if (debounced) query.set("name_contains", debounced);
    if (visibility) query.set("private", visibility);
    if (cursor) query.set("cursor", cursor);
    session.api
      .listSecrets(query)
      .then((loaded) => {
        if (stale) return;
        setPage(loaded);
        setError(null);
      })
      .catch((caught) => {
        if (!stale) setError(caught);
      });
    return () => {
      stale = true;
    };
  }, [session, debounced, visibility, sort, limit, cursor]);

  return (
    <section aria-labelledby="secrets-title">
      <div class="title-row">
        <h1 id="secrets-title">Secrets</h1>
        {canWrite(session.me) ? (
          <a class="button" href={href({ view: "new-secret" })}>
            New secret
          </a>
        ) : null}
      </div>
      <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Name contains
          <input
            type="search"
            name="name_contains"
            value={contains}
            onInput={(event) => setContains(event.currentTarget.value)}
          />
        </label>
        <label>
          Visibility
          <select
            name="visibility"
            value={visibility}
            onChange={(event) => setVisibility(event.currentTarget.value as Visibility)}
          >
            <option value="">Private and public</option>
            <option value="true">Private</option>
            <option value="false">Public</option>
          </select>
        </label>
        <label>
          Sort
          <select name="sort" value={sort} onChange={(event) => setSort(event.currentTarget.value)}>
            <option value="name">Name, A to Z</option>
            <option value="-name">Name, Z to A</option>
            <option value="-updated">Recently updated</option>
            <option value="-created">Recently created</option>
          </select>
        </label>
        <label>
          Per page
          <select
            name="limit"
            value={String(limit)}
            onChange={(event) => setLimit(Number(event.currentTarget.value))}
          >
            <option value="5">5</option>
            <option value="20">20</option>
            <option value="100">100</option>
          </select>
        </label>
      </form>
      <ErrorBox error={error} />
      {page ? (
        <>
          {page.items.length === 0 ? (
            <p class="empty">No secrets match.</p>
          ) : (
            <table class="secrets">
              <caption class="visually-hidden">Secrets, page {cursors.length}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Visibility</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Keys</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((secret) => (
                  <tr key={secret.id}>
                    <td>
                      <a href={href({ view: "secret", id: secret.id })}>{secret.name}</a>
                    </td>
                    <td>{secret.private ? "private" : "public"}</td>
                    <td>{secret.owner}</td>
                    <td>{secret.keys.length}</td>
                    <td>
                      <time dateTime={secret.updatedAt}>{new Date(secret.updatedAt).toLocaleString()}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav class="pager" aria-label="Pages">
            <button
              type="button"
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous page
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={!page.nextCursor}
              onClick={() => setCursors([...cursors, page.nextCursor])}
            >
              Next page
            </button>
          </nav>
        </>
      ) : (
        <p aria-live="polite">Loading…</p>
      )}
    </section>
  );
}
