/**
 * `{{name.key}}` secret references in configuration.
 *
 * Syntax:
 * - `{{db.password}}` refers to key `password` of the secret named `db`. Whitespace just inside the
 *   braces is ignored: `{{ db.password }}` is the same reference.
 * - The name ends at the first dot, so keys may contain dots: `{{app.smtp.host}}` is key
 *   `smtp.host` of secret `app`.
 * - A name that contains a dot, a space, a quote or a brace is written as a JSON string:
 *   `{{"api.example.com".token}}`, `{{"my db".password}}`. Keys may be quoted the same way.
 * - A reference may stand alone (the field becomes the value) or sit inside text
 *   (`postgres://{{db.username}}:{{db.password}}@host/app`).
 * - `\{{` is a literal `{{`, not a reference.
 * Anything else that opens with `{{` is a malformed reference and a ValidationError.
 */
import { ValidationError } from "./errors.js";

/**
 * How strictly references are checked: not at all, that each named secret exists, or that each
 * named key exists too (the default, `COFFER_SECRET_VALIDATION_LEVEL`).
 */
export const SECRET_VALIDATION_LEVELS = ["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"] as const;
export type SecretValidationLevel = (typeof SECRET_VALIDATION_LEVELS)[number];

export interface SecretReference {
  name: string;
  key: string;
  /** The reference as written, braces included. */
  raw: string;
}

export type TemplatePart = { kind: "text"; text: string } | { kind: "reference"; reference: SecretReference };

export interface LocatedReference {
  /** Where in the configuration the reference sits, as a JSON-pointer-like path (`/db/url`). */
  path: string;
  reference: SecretReference;
}

/**
 * How deeply objects and arrays may nest in a document whose references are found or resolved.
 * The walk is recursive, and a document nested tens of thousands deep would overflow the stack
 * (a crash, or a 500 from the server); real configuration is a few levels deep.
 */
export const MAX_DOCUMENT_DEPTH = 256;

const BARE_NAME = /^[^\s."{}]+/;
const BARE_KEY = /^[^\s"{}]+/;

/** Splits a string into literal text and references. Throws ValidationError when malformed. */
export function parseTemplate(text: string, where = "the value"): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("\\{{", i)) {
      literal += "{{";
      i += 3;
      continue;
    }
    if (!text.startsWith("{{", i)) {
      literal += text[i];
      i++;
      continue;
    }
    const { reference, end } = parseReferenceAt(text, i, where);
    if (literal) parts.push({ kind: "text", text: literal });
    literal = "";
    parts.push({ kind: "reference", reference });
    i = end;
  }
  if (literal || parts.length === 0) parts.push({ kind: "text", text: literal });
  return parts;
}

/** Parses exactly one reference, such as `{{db.password}}`, with nothing around it. */
export function parseReference(text: string): SecretReference {
  const parts = parseTemplate(text);
  const only = parts[0];
  if (parts.length !== 1 || only?.kind !== "reference") {
    throw malformed(text, 0, "the text is not a single {{name.key}} reference", "the reference");
  }
  return only.reference;
}

/** Writes a reference, quoting the name or key where the bare form would not parse back. */
export function formatReference(name: string, key: string): string {
  const quotedName = BARE_NAME.exec(name)?.[0] === name ? name : JSON.stringify(name);
  const quotedKey = BARE_KEY.exec(key)?.[0] === key ? key : JSON.stringify(key);
  return `{{${quotedName}.${quotedKey}}}`;
}

export function hasReferences(text: string): boolean {
  return parseTemplate(text).some((part) => part.kind === "reference");
}

/** Every reference in a configuration value (objects, arrays and strings, at any depth). */
export function findReferences(config: unknown): LocatedReference[] {
  const found: LocatedReference[] = [];
  walkStrings(config, "", (text, path) => {
    for (const part of parseTemplate(text, describePath(path))) {
      if (part.kind === "reference") found.push({ path, reference: part.reference });
    }
  });
  return found;
}

/**
 * Returns a copy of `config` with every reference replaced by `lookup(name, key)`. A string that
 * is exactly one reference becomes the looked-up value; references inside text are spliced in.
 */
export function substituteReferences<T>(config: T, lookup: (reference: SecretReference) => string): T {
  return mapStrings(config, "", (text, path) => {
    // Joining the parts also turns each escaped \{{ into a literal {{.
    const parts = parseTemplate(text, describePath(path));
    return parts.map((part) => (part.kind === "text" ? part.text : lookup(part.reference))).join("");
  }) as T;
}

function parseReferenceAt(
  text: string,
  start: number,
  where: string,
): { reference: SecretReference; end: number } {
  let i = start + 2;
  i = skipSpaces(text, i);
  const name = readPart(text, i, BARE_NAME, where, start, "a secret name");
  i = skipSpaces(text, name.end);
  if (text[i] !== ".") {
    throw malformed(text, start, "a dot between the secret name and the key is missing", where);
  }
  i = skipSpaces(text, i + 1);
  const key = readPart(text, i, BARE_KEY, where, start, "a key");
  i = skipSpaces(text, key.end);
  if (!text.startsWith("}}", i)) {
    throw malformed(text, start, "the closing '}}' is missing", where);
  }
  const end = i + 2;
  return { reference: { name: name.value, key: key.value, raw: text.slice(start, end) }, end };
}

function readPart(
  text: string,
  at: number,
  bare: RegExp,
  where: string,
  start: number,
  what: string,
): { value: string; end: number } {
  if (text[at] === '"') {
    let j = at + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
    if (j >= text.length)
      throw malformed(text, start, `the quoted ${what.replace(/^an? /, "")} is not closed`, where);
    try {
      const value = JSON.parse(text.slice(at, j + 1)) as string;
      if (value.length === 0) throw new Error("empty");
      return { value, end: j + 1 };
    } catch {
      throw malformed(
        text,
        start,
        `the quoted ${what.replace(/^an? /, "")} is not a valid non-empty string`,
        where,
      );
    }
  }
  const match = bare.exec(text.slice(at));
  if (!match) throw malformed(text, start, `${what} is missing`, where);
  return { value: match[0], end: at + match[0].length };
}

function skipSpaces(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function malformed(text: string, start: number, problem: string, where: string): ValidationError {
  const snippet = text.slice(start, start + 60).split(/\r?\n/)[0];
  return new ValidationError(
    `Malformed secret reference in ${where} at character ${start + 1}: ${problem} ('${snippet}').`,
    {
      hint: 'Write references as {{name.key}}; quote names with dots or spaces as {{"my.name".key}}, and write \\{{ for a literal {{.',
      details: { field: "reference", position: start + 1 },
    },
  );
}

function describePath(path: string): string {
  return path ? `the field ${path}` : "the value";
}

function walkStrings(
  value: unknown,
  path: string,
  visit: (text: string, path: string) => void,
  depth = 0,
): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) {
    assertDepth(depth, path);
    value.forEach((item, index) => {
      walkStrings(item, `${path}/${index}`, visit, depth + 1);
    });
  } else if (isPlainObject(value)) {
    assertDepth(depth, path);
    for (const [key, item] of Object.entries(value))
      walkStrings(item, `${path}/${escapePointer(key)}`, visit, depth + 1);
  }
}

function mapStrings(
  value: unknown,
  path: string,
  map: (text: string, path: string) => string,
  depth = 0,
): unknown {
  if (typeof value === "string") return map(value, path);
  if (Array.isArray(value)) {
    assertDepth(depth, path);
    return value.map((item, index) => mapStrings(item, `${path}/${index}`, map, depth + 1));
  }
  if (isPlainObject(value)) {
    assertDepth(depth, path);
    // Object.fromEntries defines own properties: a "__proto__" key stays an ordinary key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        mapStrings(item, `${path}/${escapePointer(key)}`, map, depth + 1),
      ]),
    );
  }
  return value;
}

function assertDepth(depth: number, path: string): void {
  if (depth < MAX_DOCUMENT_DEPTH) return;
  throw new ValidationError(
    `The document nests deeper than ${MAX_DOCUMENT_DEPTH} levels (at ${path.slice(0, 80)}…).`,
    {
      hint: `Flatten the document; objects and arrays may nest at most ${MAX_DOCUMENT_DEPTH} deep.`,
      details: { field: "document", maxDepth: MAX_DOCUMENT_DEPTH },
    },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
