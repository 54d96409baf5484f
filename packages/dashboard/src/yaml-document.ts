/**
 * A pasted YAML document into key/value pairs, for the editor (documents.ts decides it is YAML).
 * Its own module so that the bundler puts the YAML parser (the `yaml` package, the one the CLI and
 * the server read YAML with) in a chunk of its own, loaded the first time someone pastes YAML:
 * the page everyone opens stays small.
 *
 * The same rules as the JSON paste: one flat mapping of keys to scalars (numbers and booleans kept
 * as their text), a key given twice refused; a refusal names the line, never its text.
 */
import { isMap, isScalar, parseDocument as parseYaml } from "yaml";
import { refused } from "./document-errors.js";

export function parseYamlDocument(text: string): Array<[string, string]> {
  // prettyErrors off: the parser's messages quote the document, which may hold a secret.
  const document = parseYaml(text, { uniqueKeys: true, prettyErrors: false });
  const [error] = document.errors;
  if (error) {
    const line = text.slice(0, error.pos[0]).split("\n").length;
    const where = `Line ${line} of the pasted YAML`;
    const duplicate = error.code === "DUPLICATE_KEY";
    throw refused(
      duplicate ? `${where} gives a key twice.` : `${where} is not valid YAML.`,
      duplicate ? "Give each key once." : "Paste KEY: value lines, a JSON object, or a .env file.",
    );
  }
  if (!isMap(document.contents)) {
    throw refused("The pasted YAML is not a mapping.", "Paste KEY: value lines.");
  }
  return document.contents.items.map((pair) => {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== "string" && typeof key !== "number") {
      throw refused("A key of the pasted YAML is not text.", "Keys are plain names.");
    }
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (typeof value === "string") return [String(key), value];
    if (typeof value === "number" || typeof value === "boolean") {
      // The text as written ("5432", "0x1F", "1.50"), not the number's JavaScript form.
      const range = isScalar(pair.value) ? pair.value.range : undefined;
      return [String(key), range ? text.slice(range[0], range[1]) : String(value)];
    }
    throw refused(
      `The pasted YAML's key ${String(key)} is not a string.`,
      "Values are strings; lists, mappings and empty values are not.",
    );
  });
}
