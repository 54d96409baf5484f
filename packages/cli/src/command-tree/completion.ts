/**
 * `coffer completion bash|zsh|fish`, described as data (see spec.ts): prints a shell completion
 * script written from this very command tree (commands/completion-model.ts).
 */
import { type CommandSpec, help } from "./spec.js";

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

export const COMPLETION_COMMAND: CommandSpec = {
  path: ["completion"],
  summary: "print a shell completion script (bash, zsh or fish)",
  arguments: [{ name: "<shell>", description: "bash, zsh or fish", choices: COMPLETION_SHELLS }],
  details: () => help`
    The script completes commands, subcommands, options and the values they take (choices, files),
    from coffer's own command tree; regenerate it after upgrading coffer.
      bash: source <(coffer completion bash)  (in ~/.bashrc), or
            coffer completion bash > ~/.local/share/bash-completion/completions/coffer
      zsh:  coffer completion zsh > "\${fpath[1]}/_coffer"  (a directory in $fpath; then compinit), or
            source <(coffer completion zsh)  (in ~/.zshrc, after compinit)
      fish: coffer completion fish > ~/.config/fish/completions/coffer.fish`,
  examples: [
    "source <(coffer completion bash)",
    "coffer completion zsh > ~/.zfunc/_coffer",
    "coffer completion fish > ~/.config/fish/completions/coffer.fish",
  ],
  handler: async () => (await import("../commands/completion.js")).completion,
};
