/**
 * The `Prefer` request header (RFC 7240) as the secret write routes read it: `Prefer:
 * return=minimal` asks for the written secret's metadata without its values, so that a client
 * (the dashboard) never gets back the values it just sent. The reply then says
 * `Preference-Applied: return=minimal`.
 *
 * RFC 7240's rules, as applied here: a preference the server does not know, or cannot parse, is
 * ignored — never an error (so no Prefer header is ever a 400); preference names compare
 * case-insensitively, values case-sensitively (`return=MINIMAL` is not `return=minimal`); a
 * value may be a token or a quoted string; when a preference is given more than once (in one
 * header or in several, which Node.js joins with ", "), only the first counts.
 *
 * Hand-written rather than a dependency: the npm packages that parse Prefer are small, rarely
 * kept, and this grammar is a few lines (RFC 7240 §2, over RFC 7230's token and quoted-string).
 */
import { z } from "@coffer/core";

/** RFC 7230 tchar: the characters a token is made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The header schema the write routes declare (documents the header; any string is accepted). */
export const preferHeaders = z
  .object({
    prefer: z
      .string()
      .optional()
      .describe(
        "RFC 7240. `return=minimal`: the reply carries the secret's metadata only, no `values`, and says `Preference-Applied: return=minimal`. Anything else, or a malformed header, is ignored.",
      ),
  })
  .passthrough();

/**
 * The preferences in a Prefer header, by lower-cased name, each with its value ("" when none);
 * the first occurrence of each name wins, and malformed elements are skipped.
 */
export function parsePrefer(header: string | string[] | undefined): Map<string, string> {
  const found = new Map<string, string>();
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  for (const element of splitOutsideQuotes(text, ",")) {
    // Parameters after ";" belong to the preference; none of ours takes any, so they are dropped.
    const [head = ""] = splitOutsideQuotes(element, ";");
    const preference = nameAndValue(head.trim());
    if (preference && !found.has(preference.name)) found.set(preference.name, preference.value);
  }
  return found;
}

/** Whether the request asks for the minimal reply (`Prefer: return=minimal`). */
export function prefersMinimal(headers: Record<string, string | string[] | undefined>): boolean {
  return parsePrefer(headers.prefer).get("return") === "minimal";
}

/** `token [ BWS "=" BWS ( token / quoted-string ) ]`, or undefined when it is not that. */
function nameAndValue(text: string): { name: string; value: string } | undefined {
  const equals = text.indexOf("=");
  const name = (equals < 0 ? text : text.slice(0, equals)).trim();
  if (!TOKEN.test(name)) return undefined;
  if (equals < 0) return { name: name.toLowerCase(), value: "" };
  const raw = text.slice(equals + 1).trim();
  // RFC 7240: an empty value is the same as none.
  if (raw === "") return { name: name.toLowerCase(), value: "" };
  if (TOKEN.test(raw)) return { name: name.toLowerCase(), value: raw };
  const quoted = /^"((?:[^"\\]|\\.)*)"$/s.exec(raw);
  if (!quoted) return undefined;
  return { name: name.toLowerCase(), value: quoted[1]!.replace(/\\(.)/gs, "$1") };
}

/** Splits at `separator` where it is not inside a quoted string (a backslash escapes in one). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === "\\" && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
