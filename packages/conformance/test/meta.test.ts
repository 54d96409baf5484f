// The suite is only worth something if it catches broken stores. Each store below breaks one
// rule on purpose; the suite must fail the case that guards that rule, and the reference store
// must pass everything.
import {
  type SecretId,
  type SecretValues,
  type StoreCapabilities,
  serializedSize,
  type UpdateOptions,
  ValueTooLargeError,
} from "@coffer/core";
import { MemoryStore, type MemoryStoreOptions } from "@coffer/store-memory";
import { describe, expect, it } from "vitest";
import { runStoreConformance } from "../src/index.js";

const fullCapabilities: StoreCapabilities = {
  access: "read-write",
  maxValueBytes: 2048,
  batchGetMax: 5,
  versions: true,
  cas: true,
  softDelete: true,
};
const options: MemoryStoreOptions = { maxValueBytes: 2048, batchGetMax: 5 };

async function failedCases(create: () => MemoryStore, capabilities = fullCapabilities): Promise<string[]> {
  const results = await runStoreConformance({ create, capabilities });
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

class TruncatesSilently extends MemoryStore {
  #fit(values: SecretValues): SecretValues {
    const max = this.capabilities().maxValueBytes;
    const copy = { ...values };
    while (serializedSize(copy) > max) {
      const [key, value] = Object.entries(copy).sort((a, b) => b[1].length - a[1].length)[0]!;
      copy[key] = value.slice(0, -1);
    }
    return copy;
  }
  override create(id: SecretId, values: SecretValues) {
    return super.create(id, this.#fit(values));
  }
  override update(id: SecretId, values: SecretValues, update?: UpdateOptions) {
    return super.update(id, this.#fit(values), update);
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
  ])("catches %s", async (_, create, expected) => {
    const failed = await failedCases(create);
    for (const id of expected) expect(failed, `case ${id} should fail`).toContain(id);
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
});
