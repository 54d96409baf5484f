import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BackendUnavailableError, InvalidConfigError } from "@coffer/core";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  classifyDatabaseError,
  isUniqueViolation,
  migrate,
  openDatabase,
  parseDatabaseUrl,
} from "../src/index.js";

const tempFile = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), "coffer-sql-")), name);

describe("database URLs", () => {
  it.each([
    ["sqlite:///var/lib/coffer/coffer.db", { dialect: "sqlite", file: "/var/lib/coffer/coffer.db" }],
    ["sqlite://:memory:", { dialect: "sqlite", file: ":memory:" }],
    [
      "postgres://coffer:fake-pw@db:5432/coffer",
      { dialect: "postgres", location: "postgres://coffer:***@db:5432/coffer" },
    ],
    ["mysql://coffer:fake-pw@db:3306/coffer?poolSize=3", { dialect: "mysql", poolSize: 3 }],
    ["mariadb://u@db/coffer", { dialect: "mysql", driverUrl: "mysql://u@db/coffer" }],
  ])("parses %s", (url, expected) => {
    expect(parseDatabaseUrl(url)).toMatchObject(expected);
  });

  it("takes the timeouts from the URL, with documented defaults, and keeps them from the driver", () => {
    expect(parseDatabaseUrl("postgres://u@db/x")).toMatchObject({
      connectTimeoutMs: 5_000,
      queryTimeoutMs: 10_000,
      lockTimeoutMs: 5_000,
    });
    const parsed = parseDatabaseUrl(
      "postgres://u@db/x?queryTimeoutMs=2500&lockTimeoutMs=700&sslmode=disable",
    );
    expect(parsed).toMatchObject({ queryTimeoutMs: 2500, lockTimeoutMs: 700, connectTimeoutMs: 5_000 });
    expect(parsed.driverUrl).toBe("postgres://u@db/x?sslmode=disable");
  });

  it.each([
    [{ code: "57014" }, "57014"], // statement_timeout
    [{ code: "55P03" }, "55P03"], // lock_timeout
    [{ code: "PROTOCOL_SEQUENCE_TIMEOUT" }, "PROTOCOL_SEQUENCE_TIMEOUT"], // mysql2 query timeout
    [{ code: "ER_LOCK_WAIT_TIMEOUT" }, "ER_LOCK_WAIT_TIMEOUT"],
    [new Error("Query read timeout"), "timed out"], // pg query_timeout
    [new Error("timeout exceeded when trying to connect"), "timed out"], // pg pool wait
    [new Error("Client has encountered a connection error and is not queryable"), "connection lost"],
  ])("maps the timeout or lost connection %o to BackendUnavailableError", (error, reason) => {
    const typed = classifyDatabaseError(error, "postgres://db/x");
    expect(typed).toBeInstanceOf(BackendUnavailableError);
    expect(typed?.details).toMatchObject({ reason });
  });

  it("resolves a relative SQLite path against the working directory", () => {
    expect(parseDatabaseUrl("sqlite://data/c.db", "/srv").file).toBe("/srv/data/c.db");
  });

  it.each([
    ["oracle://x", /scheme must be sqlite:\/\/, postgres:\/\/ or mysql:\/\//],
    ["sqlite://", /SQLite file path is missing/],
    ["postgres://u:fake-pw@db/x?poolSize=0", /poolSize must be a whole number/],
    ["postgres://u:fake-pw@db/x?queryTimeoutMs=0", /queryTimeoutMs must be a whole number of milliseconds/],
    ["mysql://u:fake-pw@db/x?connectTimeoutMs=soon", /connectTimeoutMs must be a whole number/],
    ["mysql://u:fake-pw@db/x?lockTimeoutMs=1.5", /lockTimeoutMs must be a whole number/],
  ])("rejects %s with an InvalidConfigError that hides the password", (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(InvalidConfigError);
    expect(() => parseDatabaseUrl(url)).toThrow(message);
    try {
      parseDatabaseUrl(url);
    } catch (error) {
      expect((error as Error).message).not.toContain("fake-pw");
    }
  });
});

describe("SQLite through node:sqlite", () => {
  it("creates the file private to its owner and round-trips rows", async () => {
    const file = tempFile("c.db");
    const database = openDatabase(`sqlite://${file}`);
    await database.db.schema
      .createTable("t")
      .addColumn("k", "text", (c) => c.primaryKey())
      .addColumn("v", "integer")
      .execute();
    await database.db.insertInto("t").values({ k: "a", v: 1 }).execute();
    expect(await database.db.selectFrom("t").selectAll().execute()).toEqual([{ k: "a", v: 1 }]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await database.close();
  });

  it("shares one handle per URL until the last holder closes it", async () => {
    const first = openDatabase("sqlite://:memory:");
    const second = openDatabase("sqlite://:memory:");
    await first.db.schema.createTable("shared").addColumn("x", "integer").execute();
    await first.close();
    await second.db.insertInto("shared").values({ x: 1 }).execute();
    expect(await second.db.selectFrom("shared").selectAll().execute()).toHaveLength(1);
    await second.close();
    const third = openDatabase("sqlite://:memory:");
    await expect(third.db.selectFrom("shared").selectAll().execute()).rejects.toThrow(/no such table/);
    await third.close();
  });

  it("recognises unique violations", async () => {
    const database = openDatabase(`sqlite://${tempFile("u.db")}`);
    await database.db.schema
      .createTable("u")
      .addColumn("k", "text", (c) => c.unique())
      .execute();
    await database.db.insertInto("u").values({ k: "a" }).execute();
    const error = await database.db
      .insertInto("u")
      .values({ k: "a" })
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    await database.close();
  });

  it("runs each migration once, in name order", async () => {
    const database = openDatabase(`sqlite://${tempFile("m.db")}`);
    const applied: string[] = [];
    const steps = {
      "0002_second": async () => {
        applied.push("second");
      },
      "0001_first": async (db: typeof database.db) => {
        applied.push("first");
        await db.schema.createTable("m").addColumn("x", "integer").execute();
      },
    };
    await migrate(database, "test_migrations", steps);
    await migrate(database, "test_migrations", steps);
    expect(applied).toEqual(["first", "second"]);
    await database.close();
  });

  it("reports a file that cannot be created as an unavailable database, naming it", async () => {
    const insideAFile = path.join(tempFile("plain-file"), "c.db");
    writeFileSync(path.dirname(insideAFile), "not a directory");
    const database = openDatabase(`sqlite://${insideAFile}`);
    const error = await sql`select 1`.execute(database.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /plain-file\/c\.db cannot be opened \(unable to open database file\)/,
    );
    expect(classifyDatabaseError(error, database.location)).toBe(error);
    await database.close();
  });
});
