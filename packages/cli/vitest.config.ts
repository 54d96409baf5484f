import { packageTestConfig } from "../../vitest.shared.ts";

// test/install.ts installs the command once per run; the tests launch that (test/helpers.ts).
export default packageTestConfig("cli", { globalSetup: ["test/install.ts"] });
