/**
 * Sign-in: paste an API token; it is exchanged for a session token kept in memory (session.ts).
 * With an enrollment token, the user's own new API token is shown once, then used to sign in.
 */
import { useState } from "preact/hooks";
import { type Session, signIn } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function SignIn({
  onSignedIn,
  ended,
}: {
  onSignedIn: (session: Session) => void;
  /** Why the last session ended, when the server ended it. */
  ended?: unknown;
}) {
  const [error, setError] = useState<unknown>(ended ?? null);
  const [busy, setBusy] = useState(false);
  const [enrolled, setEnrolled] = useState<{ user: string; token: string } | null>(null);

  async function enter(token: string): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(token);
      if ("enrolled" in result) setEnrolled(result.enrolled);
      else onSignedIn(result.session);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem("token") as HTMLInputElement;
    if (await enter(input.value)) input.value = "";
  }

  if (enrolled) {
    return (
      <main class="sign-in">
        <h1>Coffer</h1>
        <section class="notice" aria-labelledby="enrolled-title">
          <h2 id="enrolled-title">Your API token</h2>
          <p>
            Welcome, {enrolled.user}. This is your own API token, made from the enrollment token. Copy it now
            and keep it safe (for the CLI: <code>coffer login</code>): it is shown only this once.
          </p>
          <output class="value new-token" aria-label="Your new API token">
            {enrolled.token}
          </output>
          <p>
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                const token = enrolled.token;
                if (await enter(token)) setEnrolled(null);
              }}
            >
              I have saved it: continue
            </button>
          </p>
        </section>
        <ErrorBox error={error} />
      </main>
    );
  }

  return (
    <main class="sign-in">
      <h1>Coffer</h1>
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} required />
        <p class="help">
          The token is used once to open a session that lasts until you sign out or close this tab; nothing is
          stored in the browser.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
