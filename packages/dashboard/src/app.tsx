/** The app: the sign-in page, or the signed-in layout (navigation, the route's view, sign-out). */
import { useState } from "preact/hooks";
import { ApiError } from "./api.js";
import { href, useRoute } from "./router.js";
import { type Session, signOut } from "./session.js";
import { AuditLog } from "./views/audit-log.js";
import { ErrorBox } from "./views/error-box.js";
import { References } from "./views/references.js";
import { SecretDetail } from "./views/secret-detail.js";
import { SecretEditor } from "./views/secret-editor.js";
import { SecretList } from "./views/secret-list.js";
import { SignIn } from "./views/sign-in.js";
import { Store } from "./views/store.js";
import { Tokens } from "./views/tokens.js";
import { Users } from "./views/users.js";

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ended, setEnded] = useState<ApiError | null>(null);
  const route = useRoute();

  if (!session) {
    return (
      <SignIn
        ended={ended}
        onSignedIn={(made) => {
          setError(null);
          setEnded(null);
          // A token revoked or expired mid-session ends the session: back to signing in, saying so.
          made.api.onUnauthenticated = () => {
            setSession(null);
            setEnded(
              new ApiError(
                401,
                "SESSION_ENDED",
                "Your session has ended: the server no longer accepts its token (revoked or expired).",
                "Sign in again.",
              ),
            );
          };
          setSession(made);
        }}
      />
    );
  }

  async function leave() {
    if (!session) return;
    try {
      await signOut(session);
      setSession(null);
      location.hash = "";
    } catch (caught) {
      setError(caught);
    }
  }

  const { me } = session;
  const admin = me.role === "admin";
  const auditor = admin || me.role === "auditor";
  const current = (view: string) => (route.view.includes(view) ? "page" : undefined);
  return (
    <div class="layout">
      <header>
        <nav aria-label="Main">
          <a class="brand" href={href({ view: "secrets" })}>
            Coffer
          </a>
          <a href={href({ view: "secrets" })} aria-current={current("secret")}>
            Secrets
          </a>
          {admin ? (
            <a href={href({ view: "users" })} aria-current={current("users")}>
              Users
            </a>
          ) : null}
          <a href={href({ view: "tokens" })} aria-current={current("tokens")}>
            Tokens
          </a>
          {auditor ? (
            <a href={href({ view: "audit" })} aria-current={current("audit")}>
              Audit log
            </a>
          ) : null}
          <a href={href({ view: "references" })} aria-current={current("references")}>
            References
          </a>
          <a href={href({ view: "store" })} aria-current={current("store")}>
            Store
          </a>
        </nav>
        <div class="whoami">
          <span>
            {me.user} <span class="role">({me.role})</span>
          </span>
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <ErrorBox error={error} />
        {route.view === "secrets" ? <SecretList session={session} /> : null}
        {route.view === "new-secret" ? <SecretEditor session={session} /> : null}
        {route.view === "secret" ? <SecretDetail session={session} id={route.id} key={route.id} /> : null}
        {route.view === "edit-secret" ? (
          <SecretEditor session={session} id={route.id} key={route.id} />
        ) : null}
        {route.view === "users" ? <Users session={session} /> : null}
        {route.view === "tokens" ? <Tokens session={session} /> : null}
        {route.view === "audit" ? <AuditLog session={session} /> : null}
        {route.view === "references" ? <References session={session} /> : null}
        {route.view === "store" ? <Store session={session} /> : null}
      </main>
    </div>
  );
}
