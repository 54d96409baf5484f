// The example program: says where it would connect, from secret `db`, without printing the
// password. `npm start` runs it (Node.js 24 runs TypeScript as it is).
import { SecretNotFoundError } from "@coffer/client";
import { databaseSettings } from "./settings.ts";

try {
  const db = await databaseSettings();
  console.log(
    `connecting to ${db.host}:${db.port} as ${db.username} (password: ${db.password.length} characters)`,
  );
} catch (error) {
  if (!(error instanceof SecretNotFoundError)) throw error;
  console.error(`${error.oneLine} Create it: coffer secret create db --host=… --username=… --password=…`);
  process.exitCode = 3;
}
