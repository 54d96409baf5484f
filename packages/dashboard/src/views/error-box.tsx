/** An API error in words: what went wrong (the API's message), and what to do (its hint). */
import type { ComponentChildren } from "preact";
import { ApiError } from "../api.js";

export function describe(error: unknown): { message: string; hint?: string } {
  if (error instanceof ApiError)
    return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { message: "Something went wrong in the dashboard.", hint: "Reload the page and try again." };
}

export function ErrorBox({ error, children }: { error: unknown; children?: ComponentChildren }) {
  if (!error) return null;
  const { message, hint } = describe(error);
  return (
    <div class="error" role="alert">
      <p class="error-message">{message}</p>
      {hint ? <p class="error-hint">{hint}</p> : null}
      {children}
    </div>
  );
}
