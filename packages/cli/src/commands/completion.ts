/** `coffer completion bash|zsh|fish`: prints the completion script for that shell. */
import type { Command } from "commander";
import type { Context } from "../context.js";
import { bashScript } from "./completion-bash.js";
import { fishScript } from "./completion-fish.js";
import { completionTree } from "./completion-model.js";
import { zshScript } from "./completion-zsh.js";

const WRITERS = { bash: bashScript, zsh: zshScript, fish: fishScript };

export async function completion(_context: Context, command: Command): Promise<void> {
  // Commander has checked the shell against the argument's choices.
  const [shell] = command.args as [keyof typeof WRITERS];
  process.stdout.write(WRITERS[shell](completionTree()));
}
