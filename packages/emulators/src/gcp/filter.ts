// The list filter language Secret Manager documents ("Filter lists of secrets and secret
// versions"), which follows AIP-160: restrictions `field<op>value` with the operators
// `:` (has: substring, or presence with `*`), `=`, `!=`, `<`, `<=`, `>`, `>=`; `*` wildcards in
// string values; `AND`, `OR` (which binds tighter than AND, as AIP-160 specifies), `NOT` and `-`;
// juxtaposition as AND; parentheses; and `field:(a OR b)` value lists. Regular expressions (`~`)
// are a gcloud feature the API rejects, and so does this. Paths are checked against a schema of
// the resource, so an unknown field is INVALID_ARGUMENT rather than a silent non-match.
import { invalidArgument } from "./errors.js";
import { parseRfc3339 } from "./time.js";

export type LeafType = "string" | "enum" | "time" | "duration" | "bool";

export type Schema =
  | { kind: "leaf"; type: LeafType }
  | { kind: "map" }
  | { kind: "message"; fields: Record<string, Schema> }
  | { kind: "repeated"; of: Schema };

export const leaf = (type: LeafType): Schema => ({ kind: "leaf", type });
export const map = (): Schema => ({ kind: "map" });
export const message = (fields: Record<string, Schema>): Schema => ({ kind: "message", fields });
export const repeated = (of: Schema): Schema => ({ kind: "repeated", of });

/** A resource as filters see it: snake_case fields; times and durations as epoch/span nanoseconds. */
export type View = string | bigint | boolean | null | undefined | View[] | { [field: string]: View };

type Comparator = ":" | "=" | "!=" | "<" | "<=" | ">" | ">=";

type Node =
  | { op: "and" | "or"; items: Node[] }
  | { op: "not"; item: Node }
  | { op: "cmp"; path: string[]; target: Schema; comparator: Comparator; value: string; parsed?: bigint };

export type Predicate = (view: View) => boolean;

/** Compiles `filter` against `schema`; an empty filter matches everything. */
export function compileFilter(filter: string, schema: Schema): Predicate {
  if (filter.trim() === "") return () => true;
  const node = new Parser(filter, schema).parse();
  return (view) => evaluate(node, view, schema);
}

const COMPARATORS: readonly Comparator[] = ["<=", ">=", "!=", ":", "=", "<", ">"];

class Parser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly schema: Schema,
  ) {}

  parse(): Node {
    const node = this.expression();
    this.skipSpace();
    if (this.i < this.text.length) this.fail(`unexpected '${this.text[this.i]}'`);
    return node;
  }

  private fail(why: string): never {
    throw invalidArgument(`Invalid filter [${this.text}]: ${why} at position ${this.i}.`);
  }

  private skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private atKeyword(word: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(word, this.i)) return false;
    const next = this.text[this.i + word.length];
    return next === undefined || /[\s(]/.test(next);
  }

  private atEnd(): boolean {
    this.skipSpace();
    return this.i >= this.text.length || this.text[this.i] === ")";
  }

  private expression(): Node {
    const items = [this.sequence()];
    while (this.atKeyword("AND")) {
      this.i += 3;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0]! : { op: "and", items };
  }

  // Juxtaposed factors are ANDed.
  private sequence(): Node {
    const items = [this.factor()];
    while (!this.atEnd() && !this.atKeyword("AND")) items.push(this.factor());
    return items.length === 1 ? items[0]! : { op: "and", items };
  }

  private factor(): Node {
    const items = [this.term()];
    while (this.atKeyword("OR")) {
      this.i += 2;
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { op: "or", items };
  }

  private term(): Node {
    if (this.atKeyword("NOT")) {
      this.i += 3;
      return { op: "not", item: this.simple() };
    }
    this.skipSpace();
    if (this.text[this.i] === "-") {
      this.i++;
      return { op: "not", item: this.simple() };
    }
    return this.simple();
  }

  private simple(): Node {
    this.skipSpace();
    if (this.i >= this.text.length) this.fail("expression expected");
    if (this.text[this.i] === "(") {
      this.i++;
      const node = this.expression();
      this.skipSpace();
      if (this.text[this.i] !== ")") this.fail("')' expected");
      this.i++;
      return node;
    }
    return this.restriction();
  }

  private restriction(): Node {
    const start = this.i;
    while (this.i < this.text.length && !/[\s:=!<>~()]/.test(this.text[this.i]!)) this.i++;
    const field = this.text.slice(start, this.i);
    if (!field) this.fail("field name expected");
    this.skipSpace();
    if (this.text[this.i] === "~") this.fail("regular expressions are not supported by the API");
    const comparator = COMPARATORS.find((c) => this.text.startsWith(c, this.i));
    if (!comparator) this.fail(`comparison expected after '${field}' (free-text search is not supported)`);
    this.i += comparator.length;
    const path = field.split(".");
    const target = resolveSchema(this.schema, path, (why) => this.fail(why));
    this.skipSpace();
    if (this.text[this.i] === "(") return this.valueList(path, target, comparator);
    return this.comparison(path, target, comparator, this.value());
  }

  // `field:(a OR b)` means `field:a OR field:b`; AND works likewise.
  private valueList(path: string[], target: Schema, comparator: Comparator): Node {
    this.i++;
    const values: Node[] = [this.comparison(path, target, comparator, this.value())];
    let op: "and" | "or" | undefined;
    for (;;) {
      this.skipSpace();
      if (this.text[this.i] === ")") break;
      const next = this.atKeyword("OR") ? "or" : this.atKeyword("AND") ? "and" : undefined;
      if (!next || (op && op !== next)) this.fail("OR or AND between values expected");
      op = next;
      this.i += next.length;
      values.push(this.comparison(path, target, comparator, this.value()));
    }
    this.i++;
    return values.length === 1 ? values[0]! : { op: op ?? "or", items: values };
  }

  private value(): string {
    this.skipSpace();
    if (this.text[this.i] === '"') {
      let out = "";
      this.i++;
      while (this.i < this.text.length && this.text[this.i] !== '"') {
        if (this.text[this.i] === "\\") this.i++;
        out += this.text[this.i] ?? "";
        this.i++;
      }
      if (this.text[this.i] !== '"') this.fail("unterminated string");
      this.i++;
      return out;
    }
    const start = this.i;
    while (this.i < this.text.length && !/[\s()]/.test(this.text[this.i]!)) this.i++;
    if (this.i === start) this.fail("value expected");
    return this.text.slice(start, this.i);
  }

  private comparison(path: string[], target: Schema, comparator: Comparator, value: string): Node {
    const node: Node = { op: "cmp", path, target, comparator, value };
    const ordering = comparator !== ":" && comparator !== "=" && comparator !== "!=";
    if (target.kind !== "leaf") {
      const mapKey = target.kind === "map" && comparator === ":";
      if (value !== "*" && !mapKey) this.fail(`'${path.join(".")}' can only be tested for presence`);
      if (comparator !== ":") this.fail(`'${path.join(".")}' can only be tested with ':'`);
      return node;
    }
    if (value === "*" && comparator === ":") return node;
    if (target.type === "time") {
      const parsed = parseRfc3339(value);
      if (parsed === undefined) this.fail(`'${value}' is not an RFC 3339 timestamp`);
      node.parsed = parsed;
    } else if (target.type === "duration") {
      const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
      if (!m) this.fail(`'${value}' is not a duration such as "3600s"`);
      node.parsed = BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
    } else if ((target.type === "enum" || target.type === "bool") && ordering) {
      this.fail(`'${path.join(".")}' does not support '${comparator}'`);
    }
    return node;
  }
}

function resolveSchema(root: Schema, path: string[], fail: (why: string) => never): Schema {
  let schema = root;
  for (const segment of path) {
    while (schema.kind === "repeated") schema = schema.of;
    if (schema.kind === "map") {
      schema = leaf("string");
      continue;
    }
    if (schema.kind === "leaf") fail(`'${path.join(".")}' is not a field of the resource`);
    const next = schema.fields[segment];
    if (!next) fail(`'${path.join(".")}' is not a field of the resource`);
    schema = next;
  }
  return schema;
}

interface Candidate {
  value: View;
  /** Map entries are present when the key exists, whatever the value (labels may be empty). */
  fromMap: boolean;
}

// Every value the path reaches; repeated fields fan out, so a restriction holds if any value does.
function collect(view: View, schema: Schema, path: string[]): Candidate[] {
  let current: Array<Candidate & { schema: Schema }> = [{ value: view, fromMap: false, schema }];
  for (const segment of path) {
    const next: typeof current = [];
    for (const c of current) {
      for (const { value, schema: s } of expand(c.value, c.schema)) {
        const record =
          value !== null && typeof value === "object" ? (value as Record<string, View>) : undefined;
        if (s.kind === "map") {
          next.push({ value: record?.[segment], fromMap: true, schema: leaf("string") });
        } else if (s.kind === "message") {
          next.push({ value: record?.[segment], fromMap: false, schema: s.fields[segment]! });
        }
      }
    }
    current = next;
  }
  return current.flatMap((c) =>
    expand(c.value, c.schema).map(({ value }) => ({ value, fromMap: c.fromMap })),
  );
}

function expand(value: View, schema: Schema): Array<{ value: View; schema: Schema }> {
  if (schema.kind !== "repeated") return [{ value, schema }];
  return (Array.isArray(value) ? value : []).flatMap((v) => expand(v, schema.of));
}

function evaluate(node: Node, view: View, schema: Schema): boolean {
  switch (node.op) {
    case "and":
      return node.items.every((n) => evaluate(n, view, schema));
    case "or":
      return node.items.some((n) => evaluate(n, view, schema));
    case "not":
      return !evaluate(node.item, view, schema);
    case "cmp": {
      if (node.comparator === "!=") {
        return !evaluate({ ...node, comparator: "=" }, view, schema);
      }
      return collect(view, schema, node.path).some((c) => matches(node, c));
    }
  }
}

function isPresent(c: Candidate, target: Schema): boolean {
  if (c.value === undefined || c.value === null) return false;
  if (c.fromMap) return true;
  if (typeof c.value === "string") return c.value !== "";
  if (target.kind === "map") return Object.keys(c.value as object).length > 0;
  return true;
}

function matches(node: Extract<Node, { op: "cmp" }>, c: Candidate): boolean {
  const { target, comparator, value } = node;
  if (comparator === ":" && value === "*") return isPresent(c, target);
  if (target.kind === "map") {
    const entries = c.value as Record<string, string> | null | undefined;
    return entries != null && Object.hasOwn(entries, value);
  }
  if (target.kind !== "leaf" || !isPresent(c, target)) return false;
  switch (target.type) {
    case "string": {
      const text = c.value as string;
      if (comparator === ":") return wildcard(value, false).test(text);
      if (comparator === "=") return wildcard(value, true).test(text);
      return order(text < value ? -1 : text > value ? 1 : 0, comparator);
    }
    case "enum":
    case "bool":
      return String(c.value) === value;
    case "time":
    case "duration": {
      const n = c.value as bigint;
      const m = node.parsed!;
      return order(n < m ? -1 : n > m ? 1 : 0, comparator === ":" ? "=" : comparator);
    }
  }
}

function order(sign: number, comparator: Comparator): boolean {
  switch (comparator) {
    case "=":
      return sign === 0;
    case "<":
      return sign < 0;
    case "<=":
      return sign <= 0;
    case ">":
      return sign > 0;
    case ">=":
      return sign >= 0;
    default:
      return false;
  }
}

// `:` matches a substring, `=` the whole string; `*` stands for any run of characters.
function wildcard(pattern: string, whole: boolean): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(whole ? `^${body}$` : body, "s");
}
