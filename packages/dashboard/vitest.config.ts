import { packageTestConfig } from "../../vitest.shared.ts";

// The end-to-end tests drive one Chromium through several views each: more than the default time.
export default packageTestConfig("dashboard", { testTimeout: 60_000 });
