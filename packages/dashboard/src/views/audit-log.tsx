/**
 * The audit log (admins and auditors), newest first (the latest 100 that match), with the API's
 * filters: actor, secret, action, outcome, and a range of days. Never values.
 */
import { useEffect, useState } from "preact/hooks";
import type { AuditRecord } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

const FILTERS = ["actor", "secret", "action", "outcome"] as const;
/** Days from date inputs: since that day's start, until the end of that day (the API's bounds are inclusive). */
const DAYS = [
  { name: "since", label: "From", at: "T00:00:00" },
  { name: "until", label: "Until", at: "T23:59:59.999" },
] as const;

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
    const chosen: Record<string, string> = Object.fromEntries(
      FILTERS.map((name) => [name, String(data.get(name) ?? "").trim()]),
    );
    for (const { name, at } of DAYS) {
      const day = String(data.get(name) ?? "");
      if (day) chosen[name] = new Date(`${day}${at}`).toISOString();
    }
    setFilters(chosen);
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
        {DAYS.map(({ name, label }) => (
          <label key={name}>
            {label}
            <input type="date" name={name} />
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
