// Key Vault exchanges recorded against the real service (the Azure SDK for JS publishes its live-test
// recordings), re-expressed as fixtures in test/fixtures/azure and replayed byte-level against the
// emulator: same request, and the same status, error codes, messages and body members back.
import { startAzureEmulator } from "../src/azure/index.js";
import { describeKeyVaultReplay } from "./replay/key-vault.js";

describeKeyVaultReplay("Key Vault recordings replayed against the emulator", "azure", 10, (setup) =>
  startAzureEmulator(setup),
);
