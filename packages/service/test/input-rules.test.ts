// Input checks of the service itself (issue 12), for every front end: list filters and cursors
// are checked before the query runs, cursors are signed per deployment, names are NFC, and keys
// such as "__proto__" survive a merge.
import { ValidationError } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { memoryService, sqliteUrl } from "./helpers.js";

const alice = { id: "alice" };

describe("list input", () => {
  it("refuses NUL and lone surrogates in filters, and an owner with surrounding whitespace", async () => {
    const { service } = await memoryService(sqliteUrl());
    for (const query of [
      { name: { contains: "a\u0000" } },
      { name: { startsWith: "\ud800" } },
      { name: { equals: "db\u0000" } },
      { owner: "alice\u0000" },
      { owner: "alice " },
    ]) {
      await expect(service.list(alice, query)).rejects.toThrow(ValidationError);
    }
    await service.close();
  });

  it("signs cursors per deployment: another deployment's cursor, or one with a changed sort value, is refused", async () => {
    const one = await memoryService(sqliteUrl());
    const two = await memoryService(sqliteUrl());
    for (const name of ["a", "b", "c"]) {
      await one.service.create(alice, { name, values: { k: "fake" } });
      await two.service.create(alice, { name, values: { k: "fake" } });
    }
    const query = { sort: { by: "created" as const }, limit: 1 };
    const cursor = (await one.service.list(alice, query)).nextCursor!;
    expect((await one.service.list(alice, { ...query, cursor })).items).toHaveLength(1);
    await expect(two.service.list(alice, { ...query, cursor })).rejects.toThrow(/not made by this server/);

    const [payload, mac] = cursor.split(".");
    const changed = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    changed.k = "abc";
    const forged = `${Buffer.from(JSON.stringify(changed)).toString("base64url")}.${mac}`;
    await expect(one.service.list(alice, { ...query, cursor: forged })).rejects.toThrow(ValidationError);
    await one.service.close();
    await two.service.close();
  });
  it("shares the cursor key between services on one database: a page started on one replica goes on on another", async () => {
    const url = sqliteUrl();
    const first = await memoryService(url);
    const second = await memoryService(url);
    for (const name of ["a", "b", "c"]) await first.service.create(alice, { name, values: { k: "fake" } });
    const query = { sort: { by: "name" as const }, limit: 1 };
    // The second replica lists first, so each has loaded the key before the cursor crosses over.
    expect((await second.service.list(alice, query)).items.map((item) => item.name)).toEqual(["a"]);
    const cursor = (await first.service.list(alice, query)).nextCursor!;
    expect((await second.service.list(alice, { ...query, cursor })).items.map((item) => item.name)).toEqual([
      "b",
    ]);
    await first.service.close();
    await second.service.close();
  });
});

describe("names and keys", () => {
  it("finds a secret created under the NFD form of its name by the NFC form, and refuses a second one", async () => {
    const { service } = await memoryService(sqliteUrl());
    const created = await service.create(alice, { name: "cafe\u0301", values: { k: "fake" } });
    expect(created.name).toBe("caf\u00e9");
    expect((await service.getMetadata(alice, { name: "caf\u00e9" })).id).toBe(created.id);
    await expect(service.create(alice, { name: "caf\u00e9", values: { k: "fake" } })).rejects.toThrow(
      /already exists/,
    );
    await service.close();
  });

  it("merges and removes __proto__ and constructor as ordinary keys", async () => {
    const { service } = await memoryService(sqliteUrl());
    const created = await service.create(alice, { name: "proto", values: { k: "fake" } });
    await service.update(
      alice,
      { id: created.id },
      { values: JSON.parse('{"__proto__":"fake-1","constructor":"fake-2"}') },
    );
    const read = await service.get(alice, { id: created.id });
    expect(Object.entries(read.values)).toEqual([
      ["k", "fake"],
      ["__proto__", "fake-1"],
      ["constructor", "fake-2"],
    ]);
    await service.update(alice, { id: created.id }, { values: JSON.parse('{"__proto__":null}') });
    expect((await service.get(alice, { id: created.id })).keys).toEqual(["k", "constructor"]);
    await service.close();
  });
});
