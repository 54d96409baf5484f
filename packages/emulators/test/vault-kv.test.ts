import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { VaultEmulator } from "../src/vault/index.js";
import {
  apiFailure,
  call,
  manualClock,
  RFC3339_NANO,
  startWithClient,
  type VaultClient,
} from "./vault-helpers.js";

const clock = manualClock();
let emulator: VaultEmulator;
let vault: VaultClient;

beforeAll(async () => {
  ({ emulator, vault } = await startWithClient({ clock: clock.now, mounts: ["secret", "kv/team"] }));
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const write = (path: string, data: Record<string, unknown>, options?: Record<string, unknown>) =>
  vault.write(`secret/data/${path}`, { data, ...(options && { options }) });

describe("KV v2 data", () => {
  it("a write returns version metadata; a read returns data plus metadata with RFC 3339 nanosecond times", async () => {
    const written = await write("app/db", { user: "admin", password: "fake-password-1" });
    expect(written.data).toEqual({
      created_time: expect.stringMatching(RFC3339_NANO),
      custom_metadata: null,
      deletion_time: "",
      destroyed: false,
      version: 1,
    });
    const read = await vault.read("secret/data/app/db");
    expect(read.data).toEqual({
      data: { user: "admin", password: "fake-password-1" },
      metadata: written.data,
    });
    expect(read.data.metadata.created_time.startsWith("2026-01-15T12:00:00")).toBe(true);
  });

  it("responses carry Vault's envelope: request_id, lease_id, renewable, lease_duration, data, wrap_info, warnings, auth, mount_type", async () => {
    await write("env", { a: "1" });
    const read = await vault.read("secret/data/env");
    expect(Object.keys(read).sort()).toEqual(
      [
        "auth",
        "data",
        "lease_duration",
        "lease_id",
        "mount_type",
        "renewable",
        "request_id",
        "warnings",
        "wrap_info",
      ].sort(),
    );
    expect(read).toMatchObject({
      lease_id: "",
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: "kv",
    });
    expect(read.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("values keep their JSON types (numbers, booleans, nested objects)", async () => {
    await write("typed", { port: 5432, tls: true, nested: { list: [1, "two"] } });
    expect((await vault.read("secret/data/typed")).data.data).toEqual({
      port: 5432,
      tls: true,
      nested: { list: [1, "two"] },
    });
  });

  it("each write adds a version; ?version=N reads an older one", async () => {
    await write("multi", { v: "one" });
    await write("multi", { v: "two" });
    await write("multi", { v: "three" });
    expect((await vault.read("secret/data/multi")).data).toMatchObject({
      data: { v: "three" },
      metadata: { version: 3 },
    });
    expect((await vault.read("secret/data/multi?version=1")).data).toMatchObject({
      data: { v: "one" },
      metadata: { version: 1 },
    });
  });

  it("reading a missing key, or a version that never existed, is 404 with an empty error list", async () => {
    const missing = await apiFailure(() => vault.read("secret/data/nothing"));
    expect(missing.response).toEqual({ statusCode: 404, body: { errors: [] } });
    await write("one", { a: "1" });
    const noVersion = await apiFailure(() => vault.read("secret/data/one?version=7"));
    expect(noVersion.response.statusCode).toBe(404);
  });

  it("a write without data is 400 no data provided", async () => {
    const error = await apiFailure(() => vault.write("secret/data/x", { options: {} }));
    expect(error.response).toEqual({ statusCode: 400, body: { errors: ["no data provided"] } });
  });

  it("options.cas=0 writes only if the key does not exist; a mismatched cas is 400 check-and-set parameter did not match the current version", async () => {
    await write("cas", { v: "1" }, { cas: 0 });
    const again = await apiFailure(() => write("cas", { v: "x" }, { cas: 0 }));
    expect(again.response).toEqual({
      statusCode: 400,
      body: { errors: ["check-and-set parameter did not match the current version"] },
    });
    const updated = await write("cas", { v: "2" }, { cas: 1 });
    expect(updated.data.version).toBe(2);
    const stale = await apiFailure(() => write("cas", { v: "3" }, { cas: 1 }));
    expect(stale.response.statusCode).toBe(400);
    expect((await vault.read("secret/data/cas")).data.data).toEqual({ v: "2" });
  });

  it("cas_required on a key, or on the mount config, makes a write without cas 400 check-and-set parameter required for this call", async () => {
    await vault.write("secret/metadata/strict", { cas_required: true });
    const noCas = await apiFailure(() => write("strict", { v: "1" }));
    expect(noCas.response.body).toEqual({ errors: ["check-and-set parameter required for this call"] });
    await write("strict", { v: "1" }, { cas: 0 });
    await vault.write("secret/config", { cas_required: true });
    const mountWide = await apiFailure(() => write("other", { v: "1" }));
    expect(mountWide.response.statusCode).toBe(400);
  });

  it("PATCH applies a JSON merge patch to the current version (null removes a key) as a new version", async () => {
    await write("patch", { user: "admin", password: "fake-1", nested: { a: "1", b: "2" } });
    const patched = await vault.update("secret/data/patch", {
      data: { password: null, host: "db", nested: { b: "3" } },
    });
    expect(patched.data.version).toBe(2);
    expect((await vault.read("secret/data/patch")).data.data).toEqual({
      user: "admin",
      host: "db",
      nested: { a: "1", b: "3" },
    });
    expect((await vault.read("secret/data/patch?version=1")).data.data.password).toBe("fake-1");
  });

  it("PATCH honours cas, and PATCH of a missing key is 404", async () => {
    await write("patch-cas", { a: "1" });
    const stale = await apiFailure(() =>
      vault.update("secret/data/patch-cas", { data: { a: "2" }, options: { cas: 0 } }),
    );
    expect(stale.response.statusCode).toBe(400);
    const missing = await apiFailure(() => vault.update("secret/data/absent", { data: { a: "1" } }));
    expect(missing.response.statusCode).toBe(404);
  });

  it("PATCH with a Content-Type other than application/merge-patch+json is 415", async () => {
    await write("ct", { a: "1" });
    const reply = await call(emulator, "PATCH", "secret/data/ct", { body: { data: { a: "2" } } });
    expect(reply.status).toBe(415);
    expect(reply.body).toEqual({
      errors: ["PATCH requires Content-Type of application/merge-patch+json, provided application/json"],
    });
  });

  it("DELETE soft-deletes the latest version: the read is 404 with the metadata envelope, and undelete restores it", async () => {
    await write("soft", { a: "1" });
    await write("soft", { a: "2" });
    await vault.delete("secret/data/soft");
    const deleted = await apiFailure(() => vault.read("secret/data/soft"));
    expect(deleted.response.statusCode).toBe(404);
    expect(deleted.response.body.data).toEqual({
      data: null,
      metadata: {
        created_time: expect.stringMatching(RFC3339_NANO),
        custom_metadata: null,
        deletion_time: expect.stringMatching(RFC3339_NANO),
        destroyed: false,
        version: 2,
      },
    });
    expect(deleted.response.body.mount_type).toBe("kv");
    expect((await vault.read("secret/data/soft?version=1")).data.data).toEqual({ a: "1" });
    await vault.write("secret/undelete/soft", { versions: [2] });
    expect((await vault.read("secret/data/soft")).data.data).toEqual({ a: "2" });
  });

  it("delete/ and destroy/ act on listed versions; a destroyed version reads as 404 destroyed and cannot be undeleted", async () => {
    await write("hist", { v: "1" });
    await write("hist", { v: "2" });
    await write("hist", { v: "3" });
    await vault.write("secret/delete/hist", { versions: [1] });
    await vault.write("secret/destroy/hist", { versions: [2] });
    const destroyed = await apiFailure(() => vault.read("secret/data/hist?version=2"));
    expect(destroyed.response.body.data).toMatchObject({
      data: null,
      metadata: { destroyed: true, version: 2 },
    });
    await vault.write("secret/undelete/hist", { versions: [1, 2] });
    expect((await vault.read("secret/data/hist?version=1")).data.data).toEqual({ v: "1" });
    expect((await apiFailure(() => vault.read("secret/data/hist?version=2"))).response.statusCode).toBe(404);
    expect((await vault.read("secret/data/hist")).data.data).toEqual({ v: "3" });
  });

  // The plugin spells the message differently per path: path_delete.go (delete and undelete) has a
  // capital N, path_destroy.go a lower-case one. Clients that match the text see the difference.
  it("delete/ and undelete/ without versions are 400 'No version number provided'", async () => {
    for (const op of ["delete", "undelete"]) {
      const error = await apiFailure(() => vault.write(`secret/${op}/x`, {}));
      expect(error.response).toEqual({ statusCode: 400, body: { errors: ["No version number provided"] } });
    }
  });

  it("destroy/ without versions is 400 'no version number provided' (lower-case n)", async () => {
    const error = await apiFailure(() => vault.write("secret/destroy/x", {}));
    expect(error.response).toEqual({ statusCode: 400, body: { errors: ["no version number provided"] } });
  });

  it("subkeys returns the key structure with every value replaced by null", async () => {
    await write("sub", { a: "1", b: { c: "2", d: { e: "3" } } });
    const reply = await call(emulator, "GET", "secret/subkeys/sub");
    expect((reply.body.data as { subkeys: unknown }).subkeys).toEqual({
      a: null,
      b: { c: null, d: { e: null } },
    });
    const shallow = await call(emulator, "GET", "secret/subkeys/sub?depth=1");
    expect((shallow.body.data as { subkeys: unknown }).subkeys).toEqual({ a: null, b: null });
  });
});

describe("KV v2 versions and config", () => {
  it("config reports max_versions, cas_required and delete_version_after (a Go duration string)", async () => {
    expect((await vault.read("secret/config")).data).toEqual({
      cas_required: false,
      delete_version_after: "0s",
      max_versions: 0,
    });
    await vault.write("secret/config", { max_versions: 5, delete_version_after: "3h25m19s" });
    expect((await vault.read("secret/config")).data).toEqual({
      cas_required: false,
      delete_version_after: "3h25m19s",
      max_versions: 5,
    });
  });

  it("max_versions on the mount keeps only the newest N versions; older ones read as 404 and oldest_version moves", async () => {
    await vault.write("secret/config", { max_versions: 2 });
    for (let i = 1; i <= 4; i++) await write("capped", { v: String(i) });
    const metadata = (await vault.read("secret/metadata/capped")).data;
    expect(metadata).toMatchObject({ current_version: 4, oldest_version: 3 });
    expect(Object.keys(metadata.versions).sort()).toEqual(["3", "4"]);
    expect((await apiFailure(() => vault.read("secret/data/capped?version=2"))).response.statusCode).toBe(
      404,
    );
  });

  it("without any setting a key keeps 10 versions", async () => {
    for (let i = 1; i <= 12; i++) await write("ten", { v: String(i) });
    const metadata = (await vault.read("secret/metadata/ten")).data;
    expect(Object.keys(metadata.versions)).toHaveLength(10);
    expect(metadata.oldest_version).toBe(3);
  });

  it("max_versions in key metadata caps that key (the larger of key and mount settings applies)", async () => {
    await vault.write("secret/metadata/keyed", { max_versions: 1 });
    await write("keyed", { v: "1" });
    await write("keyed", { v: "2" });
    expect(Object.keys((await vault.read("secret/metadata/keyed")).data.versions)).toEqual(["2"]);
    await vault.write("secret/config", { max_versions: 3 });
    await write("keyed", { v: "3" });
    await write("keyed", { v: "4" });
    expect(Object.keys((await vault.read("secret/metadata/keyed")).data.versions)).toHaveLength(3);
  });

  it("delete_version_after makes a version read as deleted once that time has passed", async () => {
    await vault.write("secret/metadata/ttl", { delete_version_after: "1h" });
    await write("ttl", { v: "1" });
    const deletionTime = (await vault.read("secret/data/ttl")).data.metadata.deletion_time;
    expect(Date.parse(deletionTime)).toBe(clock.now() + 3_600_000);
    clock.advance(3_600_000);
    expect((await apiFailure(() => vault.read("secret/data/ttl"))).response.statusCode).toBe(404);
  });
});

describe("KV v2 metadata", () => {
  it("metadata read lists every version with created_time, deletion_time and destroyed", async () => {
    await write("meta", { v: "1" });
    await write("meta", { v: "2" });
    await vault.delete("secret/data/meta");
    const data = (await vault.read("secret/metadata/meta")).data;
    expect(data).toMatchObject({
      cas_required: false,
      current_version: 2,
      oldest_version: 0,
      max_versions: 0,
      delete_version_after: "0s",
      custom_metadata: null,
      created_time: expect.stringMatching(RFC3339_NANO),
      updated_time: expect.stringMatching(RFC3339_NANO),
    });
    expect(data.versions["1"]).toEqual({
      created_time: expect.stringMatching(RFC3339_NANO),
      deletion_time: "",
      destroyed: false,
    });
    expect(data.versions["2"].deletion_time).toMatch(RFC3339_NANO);
  });

  it("custom_metadata written to metadata shows in data reads; PATCH metadata merges it (null removes a key)", async () => {
    await write("cm", { v: "1" });
    await vault.write("secret/metadata/cm", { custom_metadata: { owner: "team-a", tier: "gold" } });
    expect((await vault.read("secret/data/cm")).data.metadata.custom_metadata).toEqual({
      owner: "team-a",
      tier: "gold",
    });
    await vault.update("secret/metadata/cm", { custom_metadata: { tier: null, region: "eu" } });
    expect((await vault.read("secret/metadata/cm")).data.custom_metadata).toEqual({
      owner: "team-a",
      region: "eu",
    });
  });

  it("custom_metadata is limited to 64 keys (400)", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    const error = await apiFailure(() => vault.write("secret/metadata/cm", { custom_metadata: tooMany }));
    expect(error.response.statusCode).toBe(400);
    // The plugin reports it through go-multierror, even alone (path_metadata.go).
    expect(error.message).toBe(
      "1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n",
    );
  });

  it("metadata DELETE removes every version and the key disappears from listings", async () => {
    await write("gone/a", { v: "1" });
    await write("gone/b", { v: "1" });
    await vault.delete("secret/metadata/gone/a");
    expect((await apiFailure(() => vault.read("secret/data/gone/a"))).response.statusCode).toBe(404);
    expect((await apiFailure(() => vault.read("secret/metadata/gone/a"))).response.statusCode).toBe(404);
    expect((await vault.list("secret/metadata/gone")).data.keys).toEqual(["b"]);
  });
});

describe("KV v2 listing", () => {
  it("LIST (node-vault's real verb) returns direct children, with folders ending in /", async () => {
    await write("app/db", { a: "1" });
    await write("app/api/key", { a: "1" });
    await write("top", { a: "1" });
    expect((await vault.list("secret/metadata/")).data.keys).toEqual(["app/", "top"]);
    expect((await vault.list("secret/metadata/app")).data.keys).toEqual(["api/", "db"]);
    expect((await vault.list("secret/metadata/app/")).data.keys).toEqual(["api/", "db"]);
  });

  it("GET with ?list=true is the same as LIST", async () => {
    await write("q/one", { a: "1" });
    const reply = await call(emulator, "GET", "secret/metadata/q?list=true");
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual({ keys: ["one"] });
  });

  it("soft-deleted keys stay listed (their metadata remains)", async () => {
    await write("soft/a", { a: "1" });
    await vault.delete("secret/data/soft/a");
    expect((await vault.list("secret/metadata/soft")).data.keys).toEqual(["a"]);
  });

  it("an empty listing is 404 with an empty error list", async () => {
    const error = await apiFailure(() => vault.list("secret/metadata/nothing-here"));
    expect(error.response).toEqual({ statusCode: 404, body: { errors: [] } });
  });

  it("LIST keeps working across many requests on one keep-alive connection and after a 200 KB write", async () => {
    await write("ka/one", { a: "1" });
    for (let i = 0; i < 15; i++) expect((await vault.list("secret/metadata/ka")).data.keys).toEqual(["one"]);
    await write("ka/big", { blob: "x".repeat(200_000) });
    expect((await vault.list("secret/metadata/ka")).data.keys).toEqual(["big", "one"]);
    expect((await vault.read("secret/data/ka/big")).data.data.blob).toHaveLength(200_000);
  });
});

describe("mounts and routing", () => {
  it("the mounts option adds KV v2 mounts, including nested paths", async () => {
    await vault.write("kv/team/data/app", { data: { a: "team" } });
    expect((await vault.read("kv/team/data/app")).data.data).toEqual({ a: "team" });
    expect((await apiFailure(() => vault.read("secret/data/app"))).response.statusCode).toBe(404);
  });

  it("sys/mounts enables a new KV v2 mount", async () => {
    await vault.write("sys/mounts/extra", { type: "kv", options: { version: "2" } });
    await vault.write("extra/data/x", { data: { a: "1" } });
    expect((await vault.read("extra/data/x")).data.data).toEqual({ a: "1" });
    const mounts = (await vault.read("sys/mounts")).data;
    expect(Object.keys(mounts)).toContain("extra/");
    const v1 = await apiFailure(() =>
      vault.write("sys/mounts/old", { type: "kv", options: { version: "1" } }),
    );
    expect(v1.response.statusCode).toBe(400);
  });

  it("a path outside every mount is 404 no handler for route", async () => {
    const error = await apiFailure(() => vault.read("nowhere/data/x"));
    expect(error.response).toEqual({
      statusCode: 404,
      body: { errors: ['no handler for route "nowhere/data/x". route entry not found.'] },
    });
  });

  it("an operation a path does not support is 405", async () => {
    const reply = await call(emulator, "DELETE", "secret/config");
    expect(reply.status).toBe(405);
  });
});
