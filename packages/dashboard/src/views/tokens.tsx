/**
 * Tokens: your own (all of them for admins), making one (its secret shown once, here, and
 * forgotten when you leave the view), revoking one. For another user, an admin gets an enrollment
 * token (the API decides).
 */
import { useEffect, useState } from "preact/hooks";
import type { Token } from "../api.js";
import type { Session } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function Tokens({ session }: { session: Session }) {
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [made, setMade] = useState<Token | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<unknown>) {
    try {
      await action();
      setTokens((await session.api.tokens()).tokens);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    void run(async () => {});
  }, []);

  function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const user = String(data.get("user") ?? "").trim();
    const days = Number(data.get("days"));
    void run(async () => {
      setMade(
        await session.api.createToken({
          description: String(data.get("description")),
          ...(user ? { user } : {}),
          ...(days > 0 ? { expiresInDays: days } : {}),
        }),
      );
      form.reset();
    });
  }

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">Tokens</h1>
      <ErrorBox error={error} />
      {made?.token ? (
        <div class="notice" role="status">
          <p>
            New token for {made.user} ({made.kind}). Copy it now: it is shown only this once.
          </p>
          <output class="value new-token" aria-label="The new token">
            {made.token}
          </output>
          <button type="button" onClick={() => setMade(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form class="inline-form" onSubmit={create}>
        <label>
          Description
          <input name="description" required autocomplete="off" />
        </label>
        {session.me.role === "admin" ? (
          <label>
            For user (enrollment)
            <input name="user" autocomplete="off" placeholder={session.me.user} />
          </label>
        ) : null}
        <label>
          Expires in days
          <input name="days" type="number" min="1" max="3650" />
        </label>
        <button type="submit">Make a token</button>
      </form>
      {tokens ? (
        <table>
          <caption class="visually-hidden">Tokens</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Description</th>
              <th scope="col">Kind</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td>{token.user}</td>
                <td>{token.description}</td>
                <td>{token.kind}</td>
                <td>{new Date(token.createdAt).toLocaleString()}</td>
                <td>{token.expiresAt ? new Date(token.expiresAt).toLocaleString() : "never"}</td>
                <td>{token.revoked ? "revoked" : "active"}</td>
                <td>
                  {token.revoked ? null : (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (confirm(`Revoke the token "${token.description}" of ${token.user}?`)) {
                          void run(() => session.api.revokeToken(token.id));
                        }
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
