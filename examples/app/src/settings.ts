// The app's database settings, read from the Coffer secret `db` (keys host, username, password and
// an optional port) through @coffer/client, as the client's README shows.
import { type CofferClient, createClient } from "@coffer/client";

export interface DatabaseSettings {
  host: string;
  port: number;
  username: string;
  password: string;
}

/** Reads secret `db` with `client` (by default one on the COFFER_* configuration, closed after). */
export async function databaseSettings(client?: CofferClient): Promise<DatabaseSettings> {
  const coffer = client ?? createClient();
  try {
    const db = await coffer.getSecret("db");
    // The Prefect-style handle decodes a value that parses as JSON: "5433" comes back as 5433.
    const port = (await coffer.secret("db").exists()) ? await coffer.secret("db").get("port") : undefined;
    // get(key) is undefined for a key the secret does not have: say which, never a value.
    const required = (key: string): string => {
      const value = db.get(key);
      if (value === undefined)
        throw new Error(`secret 'db' has no key '${key}' (it has ${db.keys.join(", ")})`);
      return value;
    };
    return {
      host: required("host"),
      port: typeof port === "number" ? port : 5432,
      username: required("username"),
      password: required("password"),
    };
  } finally {
    if (!client) await coffer.close();
  }
}
