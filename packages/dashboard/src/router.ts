/**
 * Hash routes (#/secrets, #/secrets/<id>…): the server serves one page at /ui/, and the route
 * carries only view names and secret ids — never a value, a filter's result or a token.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { view: "secrets" }
  | { view: "new-secret" }
  | { view: "secret"; id: string }
  | { view: "edit-secret"; id: string }
  | { view: "users" }
  | { view: "tokens" }
  | { view: "audit" }
  | { view: "store" }
  | { view: "references" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (parts[0]) {
    case "secrets":
      if (parts[1] === "new") return { view: "new-secret" };
      if (parts[1] && parts[2] === "edit") return { view: "edit-secret", id: parts[1] };
      if (parts[1]) return { view: "secret", id: parts[1] };
      return { view: "secrets" };
    case "users":
      return { view: "users" };
    case "tokens":
      return { view: "tokens" };
    case "audit":
      return { view: "audit" };
    case "store":
      return { view: "store" };
    case "references":
      return { view: "references" };
    default:
      return { view: "secrets" };
  }
}

export function href(route: Route): string {
  switch (route.view) {
    case "new-secret":
      return "#/secrets/new";
    case "secret":
      return `#/secrets/${encodeURIComponent(route.id)}`;
    case "edit-secret":
      return `#/secrets/${encodeURIComponent(route.id)}/edit`;
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
