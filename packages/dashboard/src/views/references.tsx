/**
 * Checking a document's {{name.key}} references before using it (POST /references/validate):
 * every reference must name a secret the user can see and a key it has. Metadata only: no value
 * is read, and the document is sent as a JSON string unless it parses as JSON.
 */
import { useState } from "preact/hooks";
import type { ReferenceProblem } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function References({ session }: { session: Session }) {
  const [problems, setProblems] = useState<ReferenceProblem[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function check(event: Event) {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get("document") ?? "");
    let document: unknown = text;
    try {
      document = JSON.parse(text);
    } catch {
      // Not JSON: a plain text document (a .env, a YAML or INI file) is one string.
    }
    try {
      setProblems((await session.api.validateReferences(document)).problems);
      setError(null);
    } catch (caught) {
      setProblems(null);
      setError(caught);
    }
  }

  return (
    <section aria-labelledby="references-title">
      <h1 id="references-title">Check references</h1>
      <form class="editor" onSubmit={check}>
        <label for="references-document">
          A document with <code>{"{{name.key}}"}</code> references (JSON, .env, YAML…)
        </label>
        <textarea id="references-document" name="document" rows={8} spellcheck={false} required />
        <button type="submit">Check</button>
      </form>
      <ErrorBox error={error} />
      {problems ? (
        problems.length === 0 ? (
          <p role="status" class="notice">
            Every reference names a secret and key you can use.
          </p>
        ) : (
          <div role="status">
            <p>
              {problems.length} reference{problems.length === 1 ? "" : "s"} cannot be resolved:
            </p>
            <ul class="problems">
              {problems.map((problem) => (
                <li key={`${problem.path} ${problem.reference}`}>
                  <code>{problem.reference}</code>
                  {problem.path ? ` at ${problem.path}` : ""}: {problem.message}
                </li>
              ))}
            </ul>
          </div>
        )
      ) : null}
    </section>
  );
}
