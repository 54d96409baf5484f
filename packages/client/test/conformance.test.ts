// The service-level suite, unchanged, against the client in local mode: one client per user over a
// shared data directory, exactly as several programs on one machine would use it.
import { describeServiceConformance } from "@coffer/conformance";
import { type CofferClient, createClient } from "../src/index.js";
import { localEnv, tempDir } from "./helpers.js";

describeServiceConformance("client (local)", {
  async open() {
    const dataDir = tempDir();
    const clients = new Map<string, CofferClient>();
    const session = (user: string) => {
      let client = clients.get(user);
      if (!client) {
        client = createClient({ user, env: localEnv(dataDir) });
        clients.set(user, client);
      }
      return client;
    };
    const info = await session("alice").storeInfo();
    return {
      session,
      maxValueBytes: info.store.capabilities.maxValueBytes,
      async close() {
        await Promise.all([...clients.values()].map((client) => client.close()));
      },
    };
  },
});
