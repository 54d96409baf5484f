// The suite is only worth something if it catches broken stores. Each store below breaks one
// rule on purpose; the suite must fail the case that guards that rule, and the reference store
// must pass everything.
import { connect, createServer, type Server, type Socket } from "node:net";
import {
  BackendUnavailableError,
  type SecretId,
  SecretNotFoundError,
  type SecretValues,
  type StoreCapabilities,
  serializedSize,
  type UpdateOptions,
  ValueTooLargeError,
} from "@coffer/core";
import { MemoryStore, type MemoryStoreOptions } from "@coffer/store-memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStoreConformance, type StoreConformanceOptions } from "../src/index.js";

const fullCapabilities: StoreCapabilities = {
  access: "read-write",
  maxValueBytes: 2048,
  batchGetMax: 5,
  versions: true,
  cas: true,
  softDelete: true,
};
const options: MemoryStoreOptions = { maxValueBytes: 2048, batchGetMax: 5 };

async function failedCases(
  create: () => MemoryStore,
  capabilities = fullCapabilities,
  extra: Partial<StoreConformanceOptions> = {},
): Promise<string[]> {
  const results = await runStoreConformance({ create, capabilities, ...extra });
  return results.filter((result) => result.status === "failed").map((result) => result.id);
}

class ThrowsPlainErrorWhenMissing extends MemoryStore {
  override async get(id: SecretId): Promise<SecretValues> {
    try {
      return await super.get(id);
    } catch {
      throw new Error("not found");
    }
  }
}

class LosesTheLastKey extends MemoryStore {
  override async create(id: SecretId, values: SecretValues): Promise<void> {
    const keys = Object.keys(values);
    const kept = Object.fromEntries(Object.entries(values).slice(0, Math.max(1, keys.length - 1)));
    return super.create(id, keys.length > 1 ? kept : values);
  }
}

/** A store that changes the values of every create and update before keeping them. */
abstract class RewritesWrites extends MemoryStore {
  protected abstract rewrite(values: SecretValues): SecretValues;
  override create(id: SecretId, values: SecretValues) {
    return super.create(id, this.rewrite(values));
  }
  override update(id: SecretId, values: SecretValues, update?: UpdateOptions) {
    return super.update(id, this.rewrite(values), update);
  }
}

class TruncatesSilently extends RewritesWrites {
  protected rewrite(values: SecretValues): SecretValues {
    const max = this.capabilities().maxValueBytes;
    const copy = { ...values };
    while (serializedSize(copy) > max) {
      const [key, value] = Object.entries(copy).sort((a, b) => b[1].length - a[1].length)[0]!;
      copy[key] = value.slice(0, -1);
    }
    return copy;
  }
}

class IgnoresCheckAndSet extends MemoryStore {
  override update(id: SecretId, values: SecretValues) {
    return super.update(id, values);
  }
}

class RestoreDoesNothing extends MemoryStore {
  override async restore(): Promise<void> {}
}

class ServesUndeclaredRevisions extends MemoryStore {
  override async getRevision(id: SecretId): Promise<SecretValues> {
    return this.get(id);
  }
}

class ReordersBatchReads extends MemoryStore {
  override async getMany(ids: readonly SecretId[]) {
    const found = await super.getMany(ids);
    return new Map([...found.entries()].reverse());
  }
}

class DeleteOfMissingSucceeds extends MemoryStore {
  override async delete(id: SecretId): Promise<void> {
    await super.delete(id).catch(() => undefined);
  }
}

class CreateOverwrites extends MemoryStore {
  override async create(id: SecretId, values: SecretValues): Promise<void> {
    await super.delete(id).catch(() => undefined);
    return super.create(id, values);
  }
}

class DropsEmptyValues extends MemoryStore {
  override async get(id: SecretId): Promise<SecretValues> {
    return Object.fromEntries(Object.entries(await super.get(id)).filter(([, value]) => value !== ""));
  }
}

class NormalisesLineEndings extends MemoryStore {
  override async get(id: SecretId): Promise<SecretValues> {
    return Object.fromEntries(
      Object.entries(await super.get(id)).map(([k, v]) => [k, v.replace(/\r\n/g, "\n")]),
    );
  }
}

class LeaksValuesInErrors extends MemoryStore {
  override async update(id: SecretId, values: SecretValues, update?: UpdateOptions): Promise<void> {
    try {
      return await super.update(id, values, update);
    } catch (error) {
      if (error instanceof ValueTooLargeError) {
        throw new ValueTooLargeError(`Too large: ${JSON.stringify(values)}`, { details: error.details });
      }
      throw error;
    }
  }
}

/** Answers every get of a live id with the values of the most recently written secret. */
class GetsTheLatestWrittenSecret extends MemoryStore {
  #latest: SecretId | undefined;
  override async create(id: SecretId, values: SecretValues): Promise<void> {
    await super.create(id, values);
    this.#latest = id;
  }
  override async update(id: SecretId, values: SecretValues, update?: UpdateOptions): Promise<void> {
    await super.update(id, values, update);
    this.#latest = id;
  }
  override async get(id: SecretId): Promise<SecretValues> {
    await super.get(id); // the requested id must exist, so missing ids still fail properly
    const latest = this.#latest === undefined ? undefined : this.peek(this.#latest);
    return latest ?? super.get(id);
  }
}

/** getMany answers every present id with the first present id's values. */
class GetManyRepeatsTheFirst extends MemoryStore {
  override async getMany(ids: readonly SecretId[]) {
    const found = await super.getMany(ids);
    const first = [...found.values()][0];
    return new Map([...found.keys()].map((id) => [id, { ...first }]));
  }
}

/** getMany reads the first batch and silently drops the rest. */
class GetManyDropsLaterBatches extends MemoryStore {
  override async getMany(ids: readonly SecretId[]) {
    return super.getMany([...new Set(ids)].slice(0, this.capabilities().batchGetMax));
  }
}

/** Drops keys named like Object.prototype members, as a deep merge that guards them would. */
class DropsPrototypeKeys extends RewritesWrites {
  protected rewrite(values: SecretValues): SecretValues {
    const kept: SecretValues = {};
    for (const [key, value] of Object.entries(values)) {
      if (key !== "__proto__" && key !== "constructor" && key !== "prototype") kept[key] = value;
    }
    return kept;
  }
}

/** Says the backend is down when asked for the revision of an id it does not hold. */
class MissingRevisionIsAnOutage extends MemoryStore {
  override async currentRevision(id: SecretId): Promise<number> {
    try {
      return await super.currentRevision(id);
    } catch (error) {
      if (error instanceof SecretNotFoundError) throw new BackendUnavailableError("Backend unavailable.");
      throw error;
    }
  }
}

/** An update of a missing id shows the values it was given in its error. */
class UpdateErrorShowsNewValues extends MemoryStore {
  override async update(id: SecretId, values: SecretValues, update?: UpdateOptions): Promise<void> {
    try {
      return await super.update(id, values, update);
    } catch (error) {
      if (error instanceof SecretNotFoundError) {
        throw new SecretNotFoundError(`No secret to update with ${JSON.stringify(values)}.`);
      }
      throw error;
    }
  }
}

/** A write-only store whose writes do nothing (optionally only some of them). */
class WritesNothing extends MemoryStore {
  constructor(
    options: MemoryStoreOptions,
    readonly noop: ReadonlyArray<"create" | "update" | "delete">,
  ) {
    super(options);
  }
  override async create(id: SecretId, values: SecretValues) {
    if (!this.noop.includes("create")) await super.create(id, values);
  }
  override async update(id: SecretId, values: SecretValues, update?: UpdateOptions) {
    if (!this.noop.includes("update")) await super.update(id, values, update);
  }
  override async delete(id: SecretId) {
    if (!this.noop.includes("delete")) await super.delete(id);
  }
}

/** A store with a socket to its "backend": opened by init() as it should be, or on construction. */
class SocketStore extends MemoryStore {
  #socket: Socket | undefined;
  constructor(
    readonly port: number,
    connectEarly: boolean,
  ) {
    super(options);
    if (connectEarly) this.#connect();
  }
  #connect(): Promise<void> {
    const socket = connect(this.port, "127.0.0.1");
    this.#socket = socket;
    return new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
  }
  override async init(): Promise<void> {
    await super.init();
    if (!this.#socket) await this.#connect();
  }
  override async close(): Promise<void> {
    this.#socket?.destroy();
    await super.close();
  }
}

describe("the conformance suite catches broken stores", () => {
  it("passes the reference store on every case", async () => {
    expect(await failedCases(() => new MemoryStore(options))).toEqual([]);
  });

  it.each([
    ["a plain Error instead of SecretNotFoundError", () => new ThrowsPlainErrorWhenMissing(options), ["C11"]],
    ["a store that loses a key", () => new LosesTheLastKey(options), ["C10", "C13", "C40"]],
    ["a store that truncates oversize values silently", () => new TruncatesSilently(options), ["C46", "H8"]],
    ["a store that declares check-and-set but ignores it", () => new IgnoresCheckAndSet(options), ["C33"]],
    ["a store that declares soft delete but cannot restore", () => new RestoreDoesNothing(options), ["C52"]],
    ["a store whose getMany loses the input order", () => new ReordersBatchReads(options), ["C16"]],
    ["a store whose delete of a missing id succeeds", () => new DeleteOfMissingSucceeds(options), ["C51"]],
    ["a store whose create overwrites", () => new CreateOverwrites(options), ["C30.1", "H8"]],
    ["a store that drops empty values", () => new DropsEmptyValues(options), ["C41"]],
    ["a store that rewrites CRLF", () => new NormalisesLineEndings(options), ["C40"]],
    ["a store that puts values in its errors", () => new LeaksValuesInErrors(options), ["H8"]],
    ["a get that returns another secret's values", () => new GetsTheLatestWrittenSecret(options), ["C10"]],
    [
      "a getMany that returns another secret's values",
      () => new GetManyRepeatsTheFirst(options),
      ["C10", "C15"],
    ],
    [
      "a getMany that drops every batch after the first",
      () => new GetManyDropsLaterBatches(options),
      ["C15"],
    ],
    [
      "a store that drops keys named __proto__, constructor, prototype",
      () => new DropsPrototypeKeys(options),
      ["C43.1"],
    ],
    ["currentRevision of a missing id as an outage", () => new MissingRevisionIsAnOutage(options), ["C31.2"]],
    [
      "an update error that shows the update's new values",
      () => new UpdateErrorShowsNewValues(options),
      ["H8"],
    ],
  ])("catches %s", async (_, create, expected) => {
    const failed = await failedCases(create);
    for (const id of expected) expect(failed, `case ${id} should fail`).toContain(id);
  });

  it.each([100, 500])("catches a getMany that drops later batches at batchGetMax %i", async (batchGetMax) => {
    const failed = await failedCases(() => new GetManyDropsLaterBatches({ ...options, batchGetMax }), {
      ...fullCapabilities,
      batchGetMax,
    });
    expect(failed).toEqual(["C15"]);
  });

  it("catches revision retention that differs from what was declared", async () => {
    const keepsFewer = await failedCases(
      () => new MemoryStore({ ...options, maxVersions: 3 }),
      fullCapabilities,
      {
        keptRevisions: 4,
      },
    );
    expect(keepsFewer).toEqual(["C31.1"]);
    const keepsMore = await failedCases(
      () => new MemoryStore({ ...options, maxVersions: 10 }),
      fullCapabilities,
      {
        keptRevisions: 4,
      },
    );
    expect(keepsMore).toEqual(["C31.1"]);
    const honest = await failedCases(
      () => new MemoryStore({ ...options, maxVersions: 4 }),
      fullCapabilities,
      {
        keptRevisions: 4,
      },
    );
    expect(honest).toEqual([]);
  });

  describe("write-only stores, checked through readBack", () => {
    const writeOnly = { access: "write-only", versions: false, cas: false, softDelete: false } as const;
    const capabilities: StoreCapabilities = { ...fullCapabilities, ...writeOnly };
    let shared = 0;
    const run = (noop: ReadonlyArray<"create" | "update" | "delete">) => {
      const name = `meta-write-only-${shared++}`;
      const view = new MemoryStore({ shared: name });
      return failedCases(
        () => new WritesNothing({ ...options, ...writeOnly, shared: name }, noop),
        capabilities,
        {
          readBack: async (id) => view.peek(id),
        },
      );
    };

    it("passes a working write-only store", async () => {
      expect(await run([])).toEqual([]);
    });

    it.each([
      [["create", "update", "delete"] as const, ["C30", "C30.3", "C45", "C50", "C53"]],
      [["update"] as const, ["C30", "C53"]],
      [["delete"] as const, ["C50", "C51", "C53"]],
    ])("catches writes that do nothing: %j", async (noop, expected) => {
      const failed = await run(noop);
      for (const id of expected) expect(failed, `case ${id} should fail`).toContain(id);
    });
  });

  describe("I/O before init, counted by a listener", () => {
    let server: Server;
    let traffic = 0;
    let port = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        traffic++;
        socket.on("data", () => traffic++);
        socket.on("error", () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("passes a store that connects in init()", async () => {
      const failed = await failedCases(() => new SocketStore(port, false), fullCapabilities, {
        backendTraffic: () => traffic,
      });
      expect(failed).toEqual([]);
    });

    it("catches a store that connects while it is constructed", async () => {
      const failed = await failedCases(() => new SocketStore(port, true), fullCapabilities, {
        backendTraffic: () => traffic,
      });
      expect(failed).toEqual(["C06.1"]);
    });
  });

  it("catches a capability that is used but not declared", async () => {
    const capabilities = { ...fullCapabilities, versions: false };
    const failed = await failedCases(
      () => new ServesUndeclaredRevisions({ ...options, versions: false }),
      capabilities,
    );
    expect(failed).toContain("C60");
  });

  it("catches capabilities that drift from what the store reports", async () => {
    const failed = await failedCases(() => new MemoryStore({ ...options, batchGetMax: 50 }));
    expect(failed).toEqual(["C61"]);
  });

  it("reports cases that cannot apply instead of passing them", async () => {
    const results = await runStoreConformance({
      create: () => new MemoryStore(options),
      capabilities: fullCapabilities,
    });
    expect(results.find((result) => result.id === "C06")).toMatchObject({ status: "not-applicable" });
  });

  it("lists the cases of an undeclared capability as skipped, saying why", async () => {
    const results = await runStoreConformance({
      create: () => new MemoryStore({ ...options, versions: false, cas: false }),
      capabilities: { ...fullCapabilities, versions: false, cas: false },
    });
    for (const id of ["C31", "C31.1", "C31.2", "C32", "C33"]) {
      expect(results.find((result) => result.id === id)).toMatchObject({
        status: "not-applicable",
        reason: expect.stringMatching(/^not declared: the store does not declare 'versions'|'cas'/),
      });
    }
  });
});
