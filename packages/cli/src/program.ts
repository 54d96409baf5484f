/**
 * Builds commander's command tree from the commands' description (command-tree/). When argv
 * plainly names one command, only that command is defined; each action imports its
 * implementation only when it runs, so `coffer --help` or a usage mistake never loads the client,
 * the service or a store.
 *
 * Commander (rather than yargs, cac or citty): no dependencies, nested subcommands with per-command
 * help, typo suggestions for commands and options, a hook to replace its exits and error output
 * (so exit codes and one-line errors stay ours), and unknown options passed through for
 * `--KEY=VALUE`.
 */
import { Argument, Command, Option } from "commander";
import {
  COMMAND_SPECS,
  type CommandSpec,
  GROUPS,
  type Handler,
  namedCommand,
  type OptionSpec,
  PROGRAM,
} from "./command-tree/index.js";
import { Context, type GlobalOptions } from "./context.js";

/** The context of the command that ran, for main() to close. */
export let activeContext: Context | undefined;

function action(load: () => Promise<Handler>) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const context = new Context(command.optsWithGlobals<GlobalOptions>());
    activeContext = context;
    const handler = await load();
    await handler(context, command);
  };
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices) option.choices(spec.choices);
  // A parser's second parameter is the option's previous value, which only it knows the type of.
  if (spec.parse) option.argParser(spec.parse as (value: string, previous: unknown) => unknown);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.required) option.makeOptionMandatory();
  return option;
}

/** The help after the options: the command's own paragraphs, then its examples. */
function helpAfter(spec: { details?: () => string; examples: readonly string[] }): string {
  const examples = `\nExamples:\n${spec.examples.map((line) => `  $ ${line}`).join("\n")}\n`;
  return spec.details ? `${spec.details()}\n${examples}` : examples;
}

function define(parent: Command, spec: CommandSpec): void {
  const command = parent
    .command(spec.path.at(-1)!, spec.isDefault ? { isDefault: true } : {})
    .description(spec.summary);
  for (const described of spec.arguments ?? []) {
    const argument = new Argument(described.name, described.description);
    if (described.choices) argument.choices(described.choices);
    command.addArgument(argument);
  }
  for (const option of spec.options ?? []) command.addOption(toOption(option));
  // The options every command takes are its own too (the program's apply only before the command
  // word): so its help lists them, and -V/--version, the program's alone, is unknown after it.
  for (const option of PROGRAM.options) command.addOption(toOption(option));
  if (spec.passThrough) command.allowUnknownOption().allowExcessArguments();
  command.addHelpText("after", helpAfter(spec)).action(action(spec.handler));
}

export function buildProgram(version: () => string, argv: readonly string[] = []): Command {
  const only = namedCommand(argv);
  const program = new Command(PROGRAM.name)
    // Set before the subcommands are added, which inherit them: main() decides exit codes and
    // prints errors, so commander neither exits nor prints an error of its own.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    // The program's options (--version above all) only before the command word: after it,
    // `secret get api --version 3` must not print coffer's version where a script expects a value.
    .enablePositionalOptions()
    .description(PROGRAM.summary);
  for (const option of PROGRAM.options) program.addOption(toOption(option));
  program
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .showSuggestionAfterError()
    .addHelpCommand(false)
    .addHelpText("after", helpAfter(PROGRAM));

  // Groups are always defined (each is one cheap command that routes to its own), where their
  // first command is listed; a command only when wanted.
  const groups = new Map<string, Command>();
  for (const spec of COMMAND_SPECS) {
    const [first] = spec.path;
    let parent = program;
    if (spec.path.length === 2) {
      parent = groups.get(first) ?? defineGroup(program, first);
      groups.set(first, parent);
    }
    if (only === undefined || spec.path.every((word, index) => only[index] === word)) define(parent, spec);
  }
  return program;
}

function defineGroup(program: Command, name: string): Command {
  const group = GROUPS.find((candidate) => candidate.name === name);
  if (!group) throw new Error(`No description for the command group '${name}' (command-tree/index.ts).`);
  return program.command(name).description(group.summary).addHelpCommand(false);
}
