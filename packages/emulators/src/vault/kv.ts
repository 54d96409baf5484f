/**
 * One KV version 2 mount, following hashicorp/vault-plugin-secrets-kv: each write adds a numbered
 * version; versions can be soft-deleted (undeletable), destroyed (data gone), or pruned once a key
 * holds more than `max_versions`. Metadata (settings and custom metadata) lives per key.
 */
import type { Clock } from "../shared/http.js";
import { badRequest, notFound, VaultError } from "./errors.js";
import { at, goDuration, now, parseDuration, type Timestamp } from "./time.js";

type Json = Record<string, unknown>;

interface VersionRecord {
  readonly created: Timestamp;
  /** Soft-delete time; in the future when set by delete_version_after. */
  deletion: Timestamp | null;
  destroyed: boolean;
  data: Json | null;
}

interface KeyRecord {
  currentVersion: number;
  oldestVersion: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
  readonly created: Timestamp;
  updated: Timestamp;
  readonly versions: Map<number, VersionRecord>;
}

/** What an operation answers: a status and, for 200 (or an enveloped 404), the `data` member. */
export interface KvResult {
  status: 200 | 204;
  data?: Json;
  warnings?: string[];
}

const DEFAULT_MAX_VERSIONS = 10;
const MAX_CUSTOM_METADATA_KEYS = 64;
const MAX_CUSTOM_METADATA_KEY_LENGTH = 128;
const MAX_CUSTOM_METADATA_VALUE_LENGTH = 512;
const CUSTOM_METADATA_ERROR = "custom_metadata validation failed";
// The plugin's own spellings differ: path_delete.go (delete, undelete) capitalises, path_destroy.go not.
const NO_VERSION = "No version number provided";
const NO_VERSION_DESTROY = "no version number provided";

export class KvEngine {
  readonly #keys = new Map<string, KeyRecord>();
  #maxVersions = 0;
  #casRequired = false;
  #deleteVersionAfter = 0;

  constructor(readonly clock: Clock) {}

  // --- config ------------------------------------------------------------------------------

  readConfig(): KvResult {
    return {
      status: 200,
      data: {
        cas_required: this.#casRequired,
        delete_version_after: goDuration(this.#deleteVersionAfter),
        max_versions: this.#maxVersions,
      },
    };
  }

  writeConfig(body: Json): KvResult {
    if (body.max_versions !== undefined)
      this.#maxVersions = nonNegativeInt(body.max_versions, "max_versions");
    if (body.cas_required !== undefined) this.#casRequired = bool(body.cas_required, "cas_required");
    if (body.delete_version_after !== undefined) {
      this.#deleteVersionAfter = duration(body.delete_version_after, "delete_version_after");
    }
    return { status: 204 };
  }

  // --- data ----------------------------------------------------------------------------------

  readData(key: string, versionParam: unknown): KvResult {
    const meta = this.#keys.get(key);
    if (!meta) throw notFound();
    const requested = versionParam === undefined ? 0 : nonNegativeInt(versionParam, "version");
    const number = requested > 0 ? requested : meta.currentVersion;
    const version = meta.versions.get(number);
    if (!version) throw notFound();
    const metadata = versionMetadata(meta, number, version);
    if (this.#isDeleted(version) || version.destroyed) {
      throw new VaultError(404, [], { data: null, metadata });
    }
    return { status: 200, data: { data: structuredClone(version.data), metadata } };
  }

  writeData(key: string, body: Json): KvResult {
    const data = dataMember(body);
    const meta = this.#keys.get(key) ?? this.#newKey();
    this.#checkCas(body, meta);
    if (!this.#keys.has(key)) this.#keys.set(key, meta);
    return this.#addVersion(meta, data);
  }

  /** PATCH: a JSON merge patch (RFC 7386) of the current version, stored as a new version. */
  patchData(key: string, body: Json): KvResult {
    const patch = dataMember(body);
    const meta = this.#keys.get(key);
    if (!meta) throw notFound();
    this.#checkCas(body, meta);
    const current = meta.versions.get(meta.currentVersion);
    if (!current) throw notFound();
    if (this.#isDeleted(current) || current.destroyed) {
      throw new VaultError(404, [], versionMetadata(meta, meta.currentVersion, current));
    }
    return this.#addVersion(meta, mergePatch(current.data ?? {}, patch) as Json);
  }

  /** DELETE data/<key>: soft-deletes the latest version. */
  deleteLatest(key: string): KvResult {
    const meta = this.#keys.get(key);
    const latest = meta?.versions.get(meta.currentVersion);
    if (latest && !latest.destroyed && !this.#isDeleted(latest)) latest.deletion = now(this.clock);
    return { status: 204 };
  }

  deleteVersions(key: string, body: Json): KvResult {
    const numbers = versionList(body, NO_VERSION);
    const meta = this.#keys.get(key);
    for (const number of numbers) {
      const version = meta?.versions.get(number);
      if (version && !version.destroyed && !this.#isDeleted(version)) version.deletion = now(this.clock);
    }
    return { status: 204 };
  }

  undeleteVersions(key: string, body: Json): KvResult {
    const numbers = versionList(body, NO_VERSION);
    const meta = this.#keys.get(key);
    if (!meta) return { status: 204 };
    for (const number of numbers) {
      const version = meta.versions.get(number);
      if (version && !version.destroyed) version.deletion = this.#scheduledDeletion(meta, this.clock());
    }
    return { status: 204 };
  }

  destroyVersions(key: string, body: Json): KvResult {
    const numbers = versionList(body, NO_VERSION_DESTROY);
    const meta = this.#keys.get(key);
    for (const number of numbers) {
      const version = meta?.versions.get(number);
      if (version) {
        version.destroyed = true;
        version.data = null;
      }
    }
    return { status: 204 };
  }

  /** GET subkeys/<key>: the key structure of a version with every leaf value replaced by null. */
  subkeys(key: string, versionParam: unknown, depthParam: unknown): KvResult {
    const read = this.readData(key, versionParam).data as { data: Json; metadata: Json };
    const depth = depthParam === undefined ? 0 : nonNegativeInt(depthParam, "depth");
    return { status: 200, data: { metadata: read.metadata, subkeys: subkeyTree(read.data, depth, 1) } };
  }

  // --- metadata ------------------------------------------------------------------------------

  readMetadata(key: string): KvResult {
    const meta = this.#keys.get(key);
    if (!meta) throw notFound();
    const versions: Json = {};
    for (const [number, version] of meta.versions) {
      versions[String(number)] = {
        created_time: version.created.text,
        deletion_time: version.deletion?.text ?? "",
        destroyed: version.destroyed,
      };
    }
    return {
      status: 200,
      data: {
        cas_required: meta.casRequired,
        created_time: meta.created.text,
        current_version: meta.currentVersion,
        custom_metadata: meta.customMetadata ? { ...meta.customMetadata } : null,
        delete_version_after: goDuration(meta.deleteVersionAfter),
        max_versions: meta.maxVersions,
        oldest_version: meta.oldestVersion,
        updated_time: meta.updated.text,
        versions,
      },
    };
  }

  writeMetadata(key: string, body: Json): KvResult {
    const has = (name: string) => body[name] !== undefined && body[name] !== null;
    if (
      !has("max_versions") &&
      !has("cas_required") &&
      !has("delete_version_after") &&
      !has("custom_metadata")
    ) {
      return { status: 204 };
    }
    const custom = has("custom_metadata") ? customMetadata(body.custom_metadata, false) : undefined;
    const settings = metadataSettings(body);
    const meta = this.#keys.get(key) ?? this.#newKey();
    this.#keys.set(key, meta);
    Object.assign(meta, settings);
    if (custom) meta.customMetadata = custom;
    return this.#casWarning(body);
  }

  /** PATCH metadata/<key>: merge into existing settings; a null custom_metadata value removes it. */
  patchMetadata(key: string, body: Json): KvResult {
    const patch = body.custom_metadata;
    // The patch's own values are checked before the key is looked up, as Vault does.
    if (patch !== undefined && patch !== null) customMetadata(patch, true);
    const settings = metadataSettings(body);
    const meta = this.#keys.get(key);
    if (!meta) throw notFound();
    Object.assign(meta, settings);
    if (patch !== undefined && patch !== null) {
      meta.customMetadata = customMetadata(mergePatch(meta.customMetadata ?? {}, patch), false);
    }
    return this.#casWarning(body);
  }

  deleteMetadata(key: string): KvResult {
    this.#keys.delete(key);
    return { status: 204 };
  }

  /** LIST metadata/<prefix>: direct children, folders with a trailing "/"; none is a 404. */
  list(prefix: string): KvResult {
    const base = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    const children = new Set<string>();
    for (const key of this.#keys.keys()) {
      if (!key.startsWith(base)) continue;
      const rest = key.slice(base.length);
      const slash = rest.indexOf("/");
      children.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    if (children.size === 0) throw notFound();
    return { status: 200, data: { keys: [...children].sort() } };
  }

  // --- internals -----------------------------------------------------------------------------

  #newKey(): KeyRecord {
    const created = now(this.clock);
    return {
      currentVersion: 0,
      oldestVersion: 0,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
      created,
      updated: created,
      versions: new Map(),
    };
  }

  #isDeleted(version: VersionRecord): boolean {
    return version.deletion !== null && version.deletion.ms <= this.clock();
  }

  #checkCas(body: Json, meta: KeyRecord): void {
    const options = body.options;
    const cas = options && typeof options === "object" ? (options as Json).cas : undefined;
    if (cas !== undefined && cas !== null) {
      const expected = typeof cas === "string" && /^\d+$/.test(cas) ? Number(cas) : cas;
      if (typeof expected !== "number" || !Number.isInteger(expected)) {
        throw badRequest("error parsing check-and-set parameter");
      }
      if (expected !== meta.currentVersion) {
        throw badRequest("check-and-set parameter did not match the current version");
      }
    } else if (this.#casRequired || meta.casRequired) {
      throw badRequest("check-and-set parameter required for this call");
    }
  }

  /** delete_version_after: the smaller of the mount's and the key's non-zero settings. */
  #scheduledDeletion(meta: KeyRecord, fromMs: number): Timestamp | null {
    const candidates = [this.#deleteVersionAfter, meta.deleteVersionAfter].filter((s) => s > 0);
    if (candidates.length === 0) return null;
    return at(fromMs + Math.min(...candidates) * 1000);
  }

  #addVersion(meta: KeyRecord, data: Json): KvResult {
    const created = now(this.clock);
    const version: VersionRecord = {
      created,
      deletion: this.#scheduledDeletion(meta, created.ms),
      destroyed: false,
      data: structuredClone(data),
    };
    meta.currentVersion += 1;
    meta.versions.set(meta.currentVersion, version);
    meta.updated = created;
    // The larger of the key's and the mount's max_versions wins; 0 for both means 10.
    const maxVersions = Math.max(meta.maxVersions, this.#maxVersions) || DEFAULT_MAX_VERSIONS;
    if (meta.currentVersion - meta.oldestVersion >= maxVersions) {
      const lastToDelete = meta.currentVersion - maxVersions;
      for (let n = meta.oldestVersion; n <= lastToDelete; n++) meta.versions.delete(n);
      meta.oldestVersion = lastToDelete + 1;
    }
    return { status: 200, data: versionMetadata(meta, meta.currentVersion, version) };
  }

  #casWarning(body: Json): KvResult {
    if (body.cas_required === false && this.#casRequired) {
      return {
        status: 200,
        warnings: [
          '"cas_required" set to false, but is mandated by backend config. This value will be ignored.',
        ],
      };
    }
    return { status: 204 };
  }
}

/** The per-version metadata that data reads, writes and patches return. */
function versionMetadata(meta: KeyRecord, number: number, version: VersionRecord): Json {
  return {
    created_time: version.created.text,
    custom_metadata: meta.customMetadata ? { ...meta.customMetadata } : null,
    deletion_time: version.deletion?.text ?? "",
    destroyed: version.destroyed,
    version: number,
  };
}

function dataMember(body: Json): Json {
  const data = body.data;
  if (data === undefined || data === null) throw badRequest("no data provided");
  if (typeof data !== "object" || Array.isArray(data)) {
    throw badRequest('error converting input data for field "data": expected a map');
  }
  return data as Json;
}

function versionList(body: Json, noVersionMessage: string): number[] {
  const raw = body.versions;
  const items = typeof raw === "string" ? raw.split(",").filter((s) => s.trim() !== "") : raw;
  if (items === undefined || items === null || (Array.isArray(items) && items.length === 0)) {
    throw badRequest(noVersionMessage);
  }
  if (!Array.isArray(items)) throw badRequest('error converting input data for field "versions"');
  return items.map((item) => nonNegativeInt(typeof item === "string" ? item.trim() : item, "versions"));
}

function metadataSettings(body: Json): Partial<KeyRecord> {
  const settings: Partial<KeyRecord> = {};
  if (body.max_versions !== undefined && body.max_versions !== null) {
    settings.maxVersions = nonNegativeInt(body.max_versions, "max_versions");
  }
  if (body.cas_required !== undefined && body.cas_required !== null) {
    settings.casRequired = bool(body.cas_required, "cas_required");
  }
  if (body.delete_version_after !== undefined && body.delete_version_after !== null) {
    settings.deleteVersionAfter = duration(body.delete_version_after, "delete_version_after");
  }
  return settings;
}

/** Parses and validates custom_metadata (at most 64 keys, key ≤ 128 and value ≤ 512 characters). */
function customMetadata(raw: unknown, dropNulls: boolean): Record<string, string> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badRequest(`${CUSTOM_METADATA_ERROR}: expected a map`);
  }
  // No prototype: a "__proto__" key is a key like any other.
  const result: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(raw as Json)) {
    if (value === null && dropNulls) continue;
    if (typeof value === "string") result[key] = value;
    else if (typeof value === "number") result[key] = String(value);
    else if (typeof value === "boolean") result[key] = value ? "1" : "0";
    else throw badRequest(`${CUSTOM_METADATA_ERROR}: value for key "${key}" is not a string`);
  }
  checkCustomMetadata(result);
  return result;
}

/**
 * The plugin's validateCustomMetadata: lengths are Go byte lengths (UTF-8), keys and values must be
 * printable (Go's unicode.IsPrint), and every problem is gathered into a go-multierror, whose text
 * ("1 error occurred:\n\t* …\n\n") is what Vault answers, even for the 64-key limit alone.
 */
function checkCustomMetadata(metadata: Record<string, string>): void {
  const entries = Object.entries(metadata);
  if (entries.length > MAX_CUSTOM_METADATA_KEYS) {
    throw badRequest(
      multierror([
        `${CUSTOM_METADATA_ERROR}: payload must contain at most ${MAX_CUSTOM_METADATA_KEYS} keys, provided ${entries.length}`,
      ]),
    );
  }
  const problems: string[] = [];
  for (const [key, value] of entries) {
    const keyBytes = Buffer.byteLength(key, "utf8");
    const valueBytes = Buffer.byteLength(value, "utf8");
    if (keyBytes === 0 || keyBytes > MAX_CUSTOM_METADATA_KEY_LENGTH) {
      problems.push(
        `${CUSTOM_METADATA_ERROR}: length of key ${goQuote(key)} is ${keyBytes} but must be 0 < len(key) <= ${MAX_CUSTOM_METADATA_KEY_LENGTH}`,
      );
    }
    if (valueBytes === 0 || valueBytes > MAX_CUSTOM_METADATA_VALUE_LENGTH) {
      problems.push(
        `${CUSTOM_METADATA_ERROR}: length of value for key ${goQuote(key)} is ${valueBytes} but must be 0 < len(value) <= ${MAX_CUSTOM_METADATA_VALUE_LENGTH}`,
      );
    }
    if (NOT_PRINTABLE.test(key)) {
      problems.push(`${CUSTOM_METADATA_ERROR}: key ${goQuote(key)} (${key}) contains unprintable characters`);
    }
    if (NOT_PRINTABLE.test(value)) {
      problems.push(
        `${CUSTOM_METADATA_ERROR}: value for key ${goQuote(key)} contains unprintable characters`,
      );
    }
  }
  if (problems.length > 0) throw badRequest(multierror(problems));
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const NOT_PRINTABLE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;

/** hashicorp/go-multierror's default format. */
function multierror(problems: string[]): string {
  const head = `${problems.length} error${problems.length === 1 ? "" : "s"} occurred:`;
  return `${head}\n${problems.map((p) => `\t* ${p}`).join("\n")}\n\n`;
}

const GO_ESCAPES: Record<string, string> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
  '"': '\\"',
};

/** Go's %q (strconv.Quote): printable characters as they are, the rest escaped. */
function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (GO_ESCAPES[char] !== undefined) out += GO_ESCAPES[char];
    else if (!NOT_PRINTABLE.test(char)) out += char;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const result: Json =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function subkeyTree(data: unknown, maxDepth: number, depth: number): unknown {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const tree: Json = {};
  for (const [key, value] of Object.entries(data as Json)) {
    tree[key] = maxDepth !== 0 && depth >= maxDepth ? null : subkeyTree(value, maxDepth, depth + 1);
  }
  return tree;
}

function nonNegativeInt(value: unknown, field: string): number {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0) {
    throw badRequest(`error converting input data for field "${field}": expected a non-negative integer`);
  }
  return number;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw badRequest(`error converting input data for field "${field}": expected a boolean`);
}

function duration(value: unknown, field: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined)
    throw badRequest(`error converting input data for field "${field}": invalid duration`);
  return seconds;
}
