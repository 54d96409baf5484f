/**
 * Local mode's configuration and a client's local overrides: the deploy-time configuration
 * (COFFER_* and the YAML file), read once on first need — a failed read is not kept, so the next
 * call tries again — and the overrides of COFFER_LOCAL_SECRET_* and the file's `secrets:`
 * section, which `resolveValues` and `has` consult before the store.
 */
import path from "node:path";
import { type CofferConfig, loadConfig } from "@coffer/core/config";
import { auditSection } from "@coffer/service";
import { builtinStores } from "@coffer/stores";
import type { ClientOptions } from "./client-options.js";
import { LocalSecrets, localSecretsSection, withoutLocalSecrets } from "./local-secrets.js";

export class ClientConfig {
  #config: Promise<CofferConfig> | undefined;
  #localSecrets: LocalSecrets | undefined;

  constructor(
    private readonly options: ClientOptions,
    private readonly env: Record<string, string | undefined>,
  ) {}

  load(): Promise<CofferConfig> {
    if (this.#config) return this.#config;
    const loading = (async () => {
      const config = await loadConfig({
        registry: this.options.registry ?? builtinStores(),
        env: withoutLocalSecrets(this.env),
        ...(this.options.configFile ? { file: this.options.configFile } : {}),
        ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
        sections: { secrets: localSecretsSection, audit: auditSection },
      });
      this.#locals().loadFile(
        config.sections.secrets,
        config.configFile ? path.basename(config.configFile) : undefined,
      );
      return config;
    })();
    this.#config = loading;
    loading.catch(() => {
      if (this.#config === loading) this.#config = undefined;
    });
    return loading;
  }

  #locals(): LocalSecrets {
    this.#localSecrets ??= new LocalSecrets(this.env);
    return this.#localSecrets;
  }

  /** A local override of `name`: the environment first, then the configuration file. */
  async findLocal(name: string) {
    // An override in the environment needs no configuration and no store at all.
    const fromEnv = this.#locals().fromEnv(name);
    if (fromEnv) return fromEnv;
    await this.load();
    return this.#locals().find(name);
  }
}
