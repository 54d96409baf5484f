/**
 * The secrets list: filters (name contains, private/public), sort, and keyset paging with the
 * API's cursor (each page asks for the next one by the cursor the last gave; the cursors of the
 * pages before are kept to go back). Search as you type, a quarter second after the last key.
 * Metadata only: the list endpoint never returns values. The name matches one way at a time
 * (contains, starts with, ends with, is exactly: the API takes one); "More filters" adds owner and
 * created/updated ranges by day.
 */
import { useEffect, useState } from "preact/hooks";
import type { SecretPage } from "../api.js";
import { href } from "../router.js";
import { canWrite, type Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

type Visibility = "" | "true" | "false";

/** The list's further filters, as the API names them; dates are days (from <input type=date>). */
const MORE_FILTERS = [
  { param: "owner", label: "Owner", type: "text" },
  { param: "created_after", label: "Created from", type: "date" },
  { param: "created_before", label: "Created before", type: "date" },
  { param: "updated_after", label: "Updated from", type: "date" },
  { param: "updated_before", label: "Updated before", type: "date" },
] as const;
/** How the name filter matches; the API takes one of these at a time. */
const NAME_MATCHES = [
  { param: "name_contains", label: "contains" },
  { param: "name_startswith", label: "starts with" },
  { param: "name_endswith", label: "ends with" },
  { param: "name", label: "is exactly" },
] as const;
type NameMatch = (typeof NAME_MATCHES)[number]["param"];

type MoreFilters = Partial<Record<(typeof MORE_FILTERS)[number]["param"], string>>;

/** A day from a date input as the API's ISO 8601 instant: that day's start, in the user's time zone. */
function dayStart(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}

export function SecretList({ session }: { session: Session }) {
  const [contains, setContains] = useState("");
  const [match, setMatch] = useState<NameMatch>("name_contains");
  const [visibility, setVisibility] = useState<Visibility>("");
  const [sort, setSort] = useState("name");
  const [limit, setLimit] = useState(20);
  // cursors[i] is the cursor of page i (undefined: the first page).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<SecretPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [debounced, setDebounced] = useState("");
  const [moreDraft, setMoreDraft] = useState<MoreFilters>({});
  const [more, setMore] = useState<MoreFilters>({});

  useEffect(() => {
    const timer = setTimeout(() => {
      setDebounced(contains);
      setMore(moreDraft);
    }, 250);
    return () => clearTimeout(timer);
  }, [contains, moreDraft]);

  // A new filter starts again at the first page.
  useEffect(() => setCursors([undefined]), [debounced, match, visibility, sort, limit, more]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    let stale = false;
    const query = new URLSearchParams({ sort, limit: String(limit) });
    if (debounced) query.set(match, debounced);
    if (visibility) query.set("private", visibility);
    for (const { param, type } of MORE_FILTERS) {
      const value = more[param]?.trim();
      if (value) query.set(param, type === "date" ? dayStart(value) : value);
    }
    if (cursor) query.set("cursor", cursor);
    session.api
      .listSecrets(query)
      .then((loaded) => {
        if (stale) return;
        setPage(loaded);
        setError(null);
      })
      .catch((caught) => {
        if (stale) return;
        setPage(null);
        setError(caught);
      });
    return () => {
      stale = true;
    };
  }, [session, debounced, match, visibility, sort, limit, more, cursor]);

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
          Match
          <select
            name="match"
            value={match}
            onChange={(event) => setMatch(event.currentTarget.value as NameMatch)}
          >
            {NAME_MATCHES.map(({ param, label }) => (
              <option value={param} key={param}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name {NAME_MATCHES.find((option) => option.param === match)?.label}
          <input
            type="search"
            name="name"
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
        <details class="more-filters" open={Object.values(moreDraft).some(Boolean)}>
          <summary>More filters</summary>
          {MORE_FILTERS.map(({ param, label, type }) => (
            <label key={param}>
              {label}
              <input
                // Preact's types tell text inputs from date inputs; either is fine here.
                type={type as "text"}
                name={param}
                value={moreDraft[param] ?? ""}
                onInput={(event) => setMoreDraft({ ...moreDraft, [param]: event.currentTarget.value })}
              />
            </label>
          ))}
        </details>
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
      ) : error ? null : (
        <p aria-live="polite">Loading…</p>
      )}
    </section>
  );
}
