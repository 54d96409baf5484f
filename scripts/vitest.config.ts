// The repository's own tooling, tested as a user meets it: the packed packages installed with npm
// by examples/app (test/example-app.test.ts).
import { packageTestConfig } from "../vitest.shared.ts";

export default packageTestConfig("packaging", { testTimeout: 600_000 });
