/** The audit log (admins and auditors), newest first, with the API's filters. Never values. */
import { useEffect, useState } from "preact/hooks";
import type { AuditRecord } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

const FILTERS = ["actor", "secret", "action", "outcome"] as const;

export function AuditLog({ session }: { session: Session }) {
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const query = new URLSearchParams({ limit: "100" });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    session.api
      .audit(query)
      .then((loaded) => {
        setRecords(loaded.records);
        setError(null);
      })
      .catch(setError);
  }, [session, filters]);

  function apply(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setFilters(Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) ?? "").trim()])));
  }

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form class="filters" onSubmit={apply}>
        {FILTERS.map((name) => (
          <label key={name}>
            {name[0]?.toUpperCase() + name.slice(1)}
            <input name={name} autocomplete="off" />
          </label>
        ))}
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={error} />
      {records ? (
        <table>
          <caption class="visually-hidden">Audit records, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {records.map((record) => (
              <tr key={record.seq}>
                <td>{new Date(record.time).toLocaleString()}</td>
                <td>{record.actor.name ?? record.actor.id}</td>
                <td>{record.action}</td>
                <td>{target(record.target)}</td>
                <td>{record.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function target(value: Record<string, unknown> | undefined): string {
  if (!value) return "";
  return Object.entries(value)
    .filter(([, item]) => typeof item === "string" || typeof item === "number" || typeof item === "boolean")
    .map(([key, item]) => `${key}: ${String(item)}`)
    .join(", ");
}
