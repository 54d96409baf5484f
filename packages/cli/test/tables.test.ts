// Tables line up by display width: a CJK character and most emoji take two terminal columns, so a
// name like 数据库 (3 characters, 6 columns) or 🔑 api (5 UTF-16 units, 6 columns) must be padded
// by columns, not by string length. The expected lines are written out here, column by column.
import { describe, expect, it } from "vitest";
import { session } from "./helpers.js";

describe("tables by display width", () => {
  const user = session();
  user.ok(["secret", "create", "db", "--k=fake-1"]);
  user.ok(["secret", "create", "数据库", "--用户=fake-2", "--🔑=fake-3"]);
  user.ok(["secret", "create", "🔑 api", "--k=fake-4"]);

  it("secret list pads CJK and emoji names to the same column", () => {
    const lines = user.ok(["secret", "list"]).trimEnd().split("\n");
    // NAME is 6 columns wide (数据库 and 🔑 api both take 6), then two spaces.
    expect(lines.map((line) => line.split("public")[0] ?? line)).toEqual([
      "NAME    VISIBILITY  OWNER  VERSION  UPDATED               KEYS",
      "db      ",
      "数据库  ",
      "🔑 api  ",
    ]);
  });

  it("secret get pads CJK and emoji keys to the same column", () => {
    const lines = user.ok(["secret", "get", "数据库"]).trimEnd().split("\n").slice(1);
    expect(lines).toEqual(["KEY   VALUE", "用户  fake-2", "🔑    fake-3"]);
  });
});
