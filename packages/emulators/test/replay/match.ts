// Compares a live emulator response with an expectation re-expressed from a published recording or
// from the provider's source text (test/fixtures/<provider>/*.json).
//
// Expected values:
// - objects must have exactly the expected members (a member the provider does not send is a
//   mismatch too: that is how an extra `value` in an answer gets caught);
// - arrays must have the same length and match element by element;
// - null, numbers and booleans must be equal;
// - strings are templates: `{name}`, `{vault}`, `{version}` … stand for variables (bound by the
//   test, or captured at first sight and then required to repeat), `<any>` for any text;
// - whole-value markers: "<epoch>" (an integer number of seconds), "<timestamp>" (any number of
//   seconds, fractions allowed), "<string>", "<present>".

export type Vars = Record<string, string>;

/** Patterns for variables captured from responses (anything else captures lazily). */
const CAPTURE: Record<string, string> = {
  version: "[0-9a-f]{32}",
  arnPart: "-[A-Za-z0-9]{6}",
};

/** Every difference between `expected` and `actual`, as "path: what" lines (empty: a match). */
export function mismatches(expected: unknown, actual: unknown, vars: Vars, path = "$"): string[] {
  if (expected === "<present>") return actual === undefined ? [`${path}: missing`] : [];
  if (expected === "<epoch>") {
    return Number.isInteger(actual) ? [] : [`${path}: expected epoch seconds, got ${show(actual)}`];
  }
  if (expected === "<timestamp>") {
    return typeof actual === "number" ? [] : [`${path}: expected epoch seconds, got ${show(actual)}`];
  }
  if (expected === "<string>") {
    return typeof actual === "string" ? [] : [`${path}: expected a string, got ${show(actual)}`];
  }
  if (typeof expected === "string") {
    if (typeof actual !== "string") return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
    return matchTemplate(expected, actual, vars)
      ? []
      : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
  }
  if (expected === null || typeof expected !== "object") {
    return Object.is(expected, actual) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${path}: expected ${expected.length} elements, got ${actual.length}: ${show(actual)}`];
    }
    return expected.flatMap((item, i) => mismatches(item, actual[i], vars, `${path}[${i}]`));
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
    return [`${path}: expected an object, got ${show(actual)}`];
  }
  const want = expected as Record<string, unknown>;
  const got = actual as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(got)) {
    if (!(key in want)) problems.push(`${path}.${key}: not in the recorded response (got ${show(got[key])})`);
  }
  for (const [key, value] of Object.entries(want)) {
    if (!(key in got)) problems.push(`${path}.${key}: missing (recorded ${show(value)})`);
    else problems.push(...mismatches(value, got[key], vars, `${path}.${key}`));
  }
  return problems;
}

/** Fills the bound variables of a template (for request paths and bodies). */
export function fill<T>(template: T, vars: Vars): T {
  if (typeof template === "string") {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole) as T;
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, vars)) as T;
  if (template !== null && typeof template === "object") {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, vars)])) as T;
  }
  return template;
}

function matchTemplate(template: string, actual: string, vars: Vars): boolean {
  const captured: string[] = [];
  let pattern = "";
  for (const part of template.split(/(\{\w+\}|<any>)/)) {
    if (part === "<any>") pattern += "[\\s\\S]*";
    else if (/^\{\w+\}$/.test(part)) {
      const name = part.slice(1, -1);
      const bound = vars[name];
      if (bound !== undefined) pattern += escapeRegExp(bound);
      else if (captured.includes(name)) pattern += `\\k<${name}>`;
      else {
        captured.push(name);
        pattern += `(?<${name}>${CAPTURE[name] ?? "[\\s\\S]+?"})`;
      }
    } else pattern += escapeRegExp(part);
  }
  const match = new RegExp(`^${pattern}$`).exec(actual);
  if (!match) return false;
  for (const name of captured) vars[name] = match.groups![name]!;
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
