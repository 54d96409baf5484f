/**
 * The SecretsSession API over a Coffer server's secrets endpoints (`/api/v1/secrets`,
 * `/api/v1/references`): names are looked up to the id that writes need, versions travel as
 * If-Match / If-None-Match, and a read the role may not make fails as it does in local mode.
 */
import {
  type CreateSecretInput,
  type ListQuery,
  metadataFromJson,
  PermissionDeniedError,
  type ReadOptions,
  type ReferenceProblem,
  Secret,
  type SecretHistory,
  type SecretJson,
  type SecretMetadata,
  type SecretPage,
  type SecretRef,
  type SecretsSession,
  type SecretValidationLevel,
  type SecretVersionJson,
  type UpdateSecretInput,
  ValidationError,
  type WriteOptions,
} from "@coffer/core";
import { listParams } from "./list-params.js";
import type { Me } from "./remote-types.js";
import type { ServerConnection } from "./server-connection.js";

export class RemoteSecrets {
  readonly #server: ServerConnection;
  readonly #whoAmI: () => Promise<Me>;

  /** `whoAmI` names the user in the message when a read of values is refused. */
  constructor(server: ServerConnection, whoAmI: () => Promise<Me>) {
    this.#server = server;
    this.#whoAmI = whoAmI;
  }

  session(): SecretsSession {
    return {
      create: (input) => this.#create(input),
      get: (ref, options) => this.#get(ref, options),
      getMetadata: (ref) => this.#getMetadata(ref),
      list: (query) => this.#list(query ?? {}),
      update: (ref, input, options) => this.#update(ref, input, options),
      rename: async (ref, newName, options) =>
        this.#metadata("POST", `${await this.#path(ref)}/rename`, { name: newName }, options),
      setVisibility: async (ref, isPrivate, options) =>
        this.#metadata("POST", `${await this.#path(ref)}/visibility`, { private: isPrivate }, options),
      put: (name, values, options) => this.#put(name, values, options),
      delete: async (ref, options) => {
        await this.#server.call("DELETE", await this.#path(ref), undefined, ifMatch(options));
      },
      history: async (ref) =>
        historyFromJson(
          await this.#server.call<SecretHistoryJson>("GET", `${await this.#path(ref)}/history`),
        ),
      rollback: async (ref, toVersion, options) =>
        this.#metadata("POST", `${await this.#path(ref)}/rollback`, { toVersion }, options),
      validateReferences: async (config, level) =>
        (
          await this.#server.call<{ problems: ReferenceProblem[] }>("POST", "/api/v1/references/validate", {
            document: config,
            ...(level ? { level } : {}),
          })
        ).problems,
      resolveReferences: async <T>(config: T, level?: SecretValidationLevel) =>
        (
          await this.#server.call<{ document: T }>("POST", "/api/v1/references/resolve", {
            document: config,
            ...(level ? { level } : {}),
          })
        ).document,
    };
  }

  async #create(input: CreateSecretInput): Promise<Secret> {
    return toSecret(await this.#server.call<SecretJson>("POST", "/api/v1/secrets", input));
  }

  async #get(ref: SecretRef, options?: ReadOptions): Promise<Secret> {
    const version = options?.version;
    const path =
      version === undefined
        ? await this.#path(ref, { values: true })
        : `${await this.#path(ref)}/versions/${encodeURIComponent(versionText(version))}`;
    const json = await this.#server.call<SecretJson>("GET", path);
    if (json.values === undefined) {
      const me = await this.#whoAmI();
      throw new PermissionDeniedError(
        `User '${me.user}' (role ${me.role}) may not read the values of '${json.name}'.`,
        {
          hint: "Reading values needs the value-reader role or higher; ask an admin (coffer user set-role).",
          details: { user: me.user, role: me.role },
        },
      );
    }
    return toSecret(json);
  }

  async #getMetadata(ref: SecretRef): Promise<SecretMetadata> {
    return metadataFromJson(
      await this.#server.call<SecretJson>("GET", await this.#path(ref, { values: false })),
    );
  }

  async #list(query: ListQuery): Promise<SecretPage> {
    const page = await this.#server.call<{ items: SecretJson[]; nextCursor?: string }>(
      "GET",
      `/api/v1/secrets?${listParams(query)}`,
    );
    return {
      items: page.items.map(metadataFromJson),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async #update(ref: SecretRef, input: UpdateSecretInput, options?: WriteOptions): Promise<SecretMetadata> {
    const mode = input?.mode;
    if (mode !== undefined && mode !== "merge" && mode !== "replace") {
      throw new ValidationError(`The update mode '${String(mode)}' is not known.`, {
        hint: "Use 'merge' (the default) or 'replace'.",
        details: { field: "mode" },
      });
    }
    const target = await this.#path(ref);
    if (input?.mode === "replace") {
      const { mode: _mode, removeKeys, values, ...rest } = input;
      if (removeKeys?.length) {
        throw new ValidationError("removeKeys does not go with a replacing update.", {
          hint: "Replace with the values you want to keep instead.",
          details: { field: "removeKeys" },
        });
      }
      return this.#metadata("PUT", target, { values: values ?? {}, ...rest }, options);
    }
    const { mode: _mode, ...patch } = input ?? {};
    return this.#metadata("PATCH", target, patch, options);
  }

  async #put(
    name: string,
    values: Record<string, string>,
    options: WriteOptions & { private?: boolean } = {},
  ) {
    const query = new URLSearchParams({ name });
    if (options.private !== undefined) query.set("private", String(options.private));
    const headers: Record<string, string> =
      options.expectedVersion === 0 ? { "if-none-match": "*" } : ifMatch(options);
    return metadataFromJson(
      await this.#server.call<SecretJson>("PUT", `/api/v1/secrets/by-name?${query}`, { values }, headers),
    );
  }

  async #metadata(
    method: string,
    route: string,
    body: unknown,
    options?: WriteOptions,
  ): Promise<SecretMetadata> {
    return metadataFromJson(await this.#server.call<SecretJson>(method, route, body, ifMatch(options)));
  }

  /** A name is looked up once to find the id every write needs. */
  async #path(ref: SecretRef, read?: { values: boolean }): Promise<string> {
    if (ref && "id" in ref) {
      return `/api/v1/secrets/${encodeURIComponent(ref.id)}${read ? `?values=${read.values}` : ""}`;
    }
    const query = new URLSearchParams({ name: ref.name });
    if (ref.private !== undefined) query.set("private", String(ref.private));
    if (read) {
      query.set("values", String(read.values));
      return `/api/v1/secrets/by-name?${query}`;
    }
    query.set("values", "false");
    const found = await this.#server.call<SecretJson>("GET", `/api/v1/secrets/by-name?${query}`);
    return `/api/v1/secrets/${encodeURIComponent(found.id)}`;
  }
}

/** A version goes into the path as given, so the server's check words the error for a bad one. */
function versionText(version: unknown): string {
  return typeof version === "number" ? String(version) : JSON.stringify(version ?? null);
}

interface SecretHistoryJson extends Omit<SecretHistory, "versions"> {
  versions: SecretVersionJson[];
}

function historyFromJson(json: SecretHistoryJson): SecretHistory {
  return {
    ...json,
    versions: json.versions.map((version) => ({ ...version, created: new Date(version.created) })),
  };
}

function toSecret(json: SecretJson): Secret {
  return new Secret(metadataFromJson(json), json.values ?? {});
}

function ifMatch(options: WriteOptions | undefined): Record<string, string> {
  return options?.expectedVersion === undefined ? {} : { "if-match": `"${options.expectedVersion}"` };
}
