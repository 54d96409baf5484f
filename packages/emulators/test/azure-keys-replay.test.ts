// Key Vault keys exchanges recorded against the real service (the Azure SDK for JS publishes its
// live-test recordings), re-expressed as fixtures in test/fixtures/azure-keys and replayed
// byte-level against the keys emulator: same request, and the same status, codes, messages and
// body members back.
import { startAzureKeysEmulator } from "../src/azure-keys/index.js";
import { describeKeyVaultReplay } from "./replay/key-vault.js";

describeKeyVaultReplay("Key Vault keys recordings replayed against the emulator", "azure-keys", 3, (setup) =>
  startAzureKeysEmulator(setup),
);
