/**
 * Questions at the terminal: a visible answer (a key name, yes/no) or a hidden one (a value, shown
 * as nothing at all, like sudo's password prompt). Prompts go to stderr so stdout stays clean.
 *
 * Built on Node's readline keypress events in raw mode rather than a prompt library: `read` (npm's
 * own) never settles its promise when the user presses Ctrl-D at an empty prompt, and the
 * full-screen prompt kits cost more start-up time than everything else in `coffer`. Here Ctrl-C
 * and Ctrl-D are answered at once (exit 130, nothing written).
 */
import { emitKeypressEvents } from "node:readline";
import { CliError, usageError } from "./cli-errors.js";

interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  sequence?: string;
}

export function assertTerminal(what: string, alternative: string): void {
  if (!process.stdin.isTTY) {
    throw usageError(`${what} needs a terminal, and standard input is not one.`, alternative);
  }
}

let rawMode = false;

/**
 * Puts the terminal in raw mode for the prompts to come. It stays raw between prompts, so that
 * nothing typed ahead is echoed by the terminal or turned into a signal; `endPrompts()` (called
 * when the command ends) puts it back.
 */
function startPrompts(): void {
  if (rawMode) return;
  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  rawMode = true;
}

export function endPrompts(): void {
  if (!rawMode) return;
  rawMode = false;
  process.stdin.setRawMode(false);
  process.stdin.pause();
}

export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  const input = process.stdin;
  const echo = (text: string) => {
    if (!options.hidden) process.stderr.write(text);
  };
  // Raw mode before the question: an answer typed the moment it shows must not be echoed.
  startPrompts();
  process.stderr.write(question);
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let answer: string[] = [];
    const finish = (error?: CliError) => {
      input.removeListener("keypress", onKey);
      input.removeListener("end", onEnd);
      input.pause();
      process.stderr.write("\n");
      if (error) {
        endPrompts();
        reject(error);
      } else {
        resolve(answer.join(""));
      }
    };
    const onEnd = () => finish(new CliError("interrupted", "End of input: nothing was saved."));
    const onKey = (text: string | undefined, key: Key | undefined) => {
      if (key?.ctrl && key.name === "c") {
        finish(new CliError("interrupted", "Interrupted: nothing was saved."));
      } else if (key?.ctrl && key.name === "d") {
        if (answer.length === 0) onEnd();
      } else if (key?.name === "return" || key?.name === "enter") {
        finish();
      } else if (key?.name === "backspace") {
        if (answer.length > 0) {
          answer = answer.slice(0, -1);
          echo("\b \b");
        }
      } else if (key?.ctrl && key.name === "u") {
        echo("\b \b".repeat(answer.length));
        answer = [];
      } else if (text !== undefined && !/\p{Cc}/u.test(text) && !key?.ctrl && !key?.meta) {
        answer.push(text);
        echo(text);
      }
    };
    input.on("keypress", onKey);
    input.once("end", onEnd);
  });
}

export async function confirm(question: string): Promise<boolean> {
  const answer = (await ask(`${question} [y/N] `)).trim().toLowerCase();
  return answer === "y" || answer === "yes";
}
