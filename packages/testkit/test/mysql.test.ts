import { createConnection } from "mysql2/promise";
import { expect, test } from "vitest";
import { describeWithDatabase } from "../src/vitest.js";

describeWithDatabase("mysql", (getDb) => {
  test("runs queries on a real MySQL-compatible server in a container", async () => {
    const db = getDb();
    expect(db.dialect).toBe("mysql");
    expect(db.via).toBe("testcontainers");
    expect(db.image).toBe(process.env.COFFER_TEST_MYSQL_IMAGE ?? "mysql:8.4");
    expect(db.url).toMatch(/^mysql:\/\//);

    const connection = await createConnection(db.url);
    try {
      await connection.query("CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, value TEXT NOT NULL)");
      await connection.execute("INSERT INTO items (value) VALUES (?)", ["fake-password-1"]);
      const [rows] = await connection.query("SELECT value FROM items");
      expect(rows).toEqual([{ value: "fake-password-1" }]);
      // The user owns its database only (as MySqlContainer sets it up on the official image).
      const [grants] = await connection.query("SELECT DATABASE() AS db, CURRENT_USER() AS user");
      expect(grants).toEqual([{ db: "test", user: "test@%" }]);
    } finally {
      await connection.end();
    }
  });
});
