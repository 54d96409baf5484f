/**
 * `coffer completion bash|zsh|fish`, described as data (see spec.ts): prints a shell completion
 * script written from this very command tree (commands/completion-model.ts).
 */
import { type CommandSpec, help } from "./spec.js";

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

export const COMPLETION_COMMAND: CommandSpec = {
  path: ["completion"],
  summary: "print a shell completion script (bash, zsh or fish)",
  arguments: [{ name: "<shell>", description: "the shell to complete in", choices: COMPLETION_SHELLS }],
  details: () => help`
    The script completes commands, subcommands, options and the values they take (choices, files),
    from coffer's own command tree; regenerate it after upgrading coffer. To load it:
    bash: add 'source <(coffer completion bash)' to ~/.bashrc, or save the script in
    ~/.local/share/bash-completion/completions/coffer.
    zsh: save it as _coffer in a directory of $fpath (before compinit runs), or add
    'source <(coffer completion zsh)' to ~/.zshrc after compinit.
    fish: save it as ~/.config/fish/completions/coffer.fish.`,
  examples: [
    "coffer completion bash > ~/.local/share/bash-completion/completions/coffer",
    "coffer completion zsh > ~/.zfunc/_coffer",
    "coffer completion fish > ~/.config/fish/completions/coffer.fish",
  ],
  handler: async () => (await import("../commands/completion.js")).completion,
};
