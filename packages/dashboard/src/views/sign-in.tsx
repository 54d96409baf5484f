/** Sign-in: paste an API token; it is exchanged for a session token kept in memory (session.ts). */
import { useState } from "preact/hooks";
import { type Session, signIn } from "../session.js";
import { ErrorBox } from "./error-box.js";

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem("token") as HTMLInputElement;
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(input.value);
      input.value = "";
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
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
