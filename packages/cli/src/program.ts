/**
 * The command tree: names, arguments, options and help. Each action imports its implementation
 * only when it runs, so `coffer --help` or a usage mistake never loads the client, the service or
 * a store.
 *
 * Commander (rather than yargs, cac or citty): no dependencies, nested subcommands with per-command
 * help, typo suggestions for commands and options, a hook to replace its exits and error output
 * (so exit codes and one-line errors stay ours), and unknown options passed through for
 * `--KEY=VALUE`.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { Context, type GlobalOptions } from "./context.js";
import { describeRefusedVariables } from "./env-guard.js";

type Handler = (context: Context, command: Command) => Promise<void>;
type Loader = () => Promise<Handler>;

/** The context of the command that ran, for main() to close. */
export let activeContext: Context | undefined;

function action(load: Loader) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const context = new Context(command.optsWithGlobals<GlobalOptions>());
    activeContext = context;
    const handler = await load();
    await handler(context, command);
  };
}

export function parseBoolean(value: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (normalized === "true") return true;
  if (normalized === "false") return false;
  throw new InvalidArgumentError("Use true or false.");
}

function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError("Use a whole number.");
  return number;
}

/** A long comma-separated list broken into help-text lines. */
function wrapList(list: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of list.split(" ")) {
    if (line !== "" && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const selectPrivate = () =>
  new Option(
    "-p, --private <true|false>",
    "which of two secrets of this name: your private one (true) or the public one (false); default: private first",
  ).argParser(parseBoolean);

/** A template whose literal lines lose their indentation (so help text can sit indented in code). */
function help(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (text, part, index) => text + part.replace(/\n[ \t]+/g, "\n") + (values[index] ?? ""),
    "",
  );
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

/** The commands, by group: `coffer secret create`, `coffer run`. */
export const COMMANDS: Record<string, readonly string[]> = {
  secret: ["create", "get", "list", "update", "rename", "delete", "export", "validate", "resolve"],
  run: [],
  store: ["info", "rotate-key"],
  reconcile: [],
  login: [],
  logout: [],
  server: ["start"],
  user: ["list", "create", "set-role", "delete"],
  token: ["list", "create", "revoke"],
};

/**
 * The command argv names, when it plainly names one (`secret get …`) and asks for no help: then
 * only that command is defined, which saves defining (and parsing the help of) all the others.
 */
export function namedCommand(argv: readonly string[]): string[] | undefined {
  if (argv.some((arg) => arg === "-h" || arg === "--help")) return undefined;
  const [first, second] = argv.filter((arg) => !arg.startsWith("-"));
  if (first === undefined || !Object.hasOwn(COMMANDS, first)) return undefined;
  const leaves = COMMANDS[first]!;
  if (leaves.length === 0) return [first];
  return second !== undefined && leaves.includes(second) ? [first, second] : undefined;
}

export function buildProgram(version: () => string, argv: readonly string[] = []): Command {
  const only = namedCommand(argv);
  const want = (...path: string[]) => only === undefined || path.every((part, index) => only[index] === part);
  const program = new Command("coffer")
    // Set before the subcommands are added, which inherit them: main() decides exit codes and
    // prints errors, so commander neither exits nor prints an error of its own.
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .description(
      "Coffer keeps secrets — named groups of key/value pairs — in the store your deployment chose.",
    )
    .option("--json", "print results as JSON (errors too, on stderr)")
    .option("--debug", "print debug logs, and a stack trace with an error")
    .option("--config <file>", "a Coffer YAML configuration file (default: COFFER_CONFIG_FILE)")
    .version(version(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .showSuggestionAfterError()
    .addHelpCommand(false)
    .addHelpText(
      "after",
      help`
Local mode keeps secrets in ${process.platform === "darwin" ? "~/Library/Application Support/coffer" : "~/.local/share/coffer"} (COFFER_DATA_DIR), as the
user COFFER_USER (default: your login name). Exit codes and settings: see the README.
${examples("coffer secret create db --username=app --password=@password.txt", "coffer secret get db --key password", "coffer run -s db -- ./start-server")}`,
    );

  const secret = program
    .command("secret")
    .description("create, read, list, change and remove secrets")
    .addHelpCommand(false);

  if (want("secret", "create")) {
    secret
      .command("create")
      .description("create a secret from --KEY=VALUE pairs, --values (JSON or YAML), or answers at a prompt")
      .argument("<name>", "the secret's name (1-255 characters)")
      .option(
        "-v, --values <json|yaml|@file>",
        "keys and values as a JSON object or YAML mapping; @file reads a file, @- stdin (repeatable)",
        collect,
      )
      .option("-i, --interactive", "ask for keys and values at the terminal (values hidden)")
      .option("-p, --private", "visible to you only (default: public)")
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText(
        "after",
        help`
  Each --KEY=VALUE sets one key. A value @path is read from a file (one trailing newline dropped),
  @- from standard input; write @@ for a value that starts with a literal @. Keys named like an
  option of this command (values, interactive, private, json, debug, config, help) go in --values.
  --values may be given more than once: the keys of every source add up, and a key given twice
  is an error (exit 5). Values are text as written: YAML 'port: 0587' stays 0587, a YAML tag
  (!!binary, !!timestamp, !!int) is refused, and so is a JSON number, boolean or null (quote it).
  ${examples(
    "coffer secret create db --username=app --password=@password.txt",
    `coffer secret create stripe --values '{"key": "sk_test_…", "webhook": "whsec_…"}'`,
    "coffer secret create tls --values @tls.yaml --private",
    "coffer secret create api -i",
  )}`,
      )
      .action(action(async () => (await import("./commands/secret-write.js")).create));
  }

  if (want("secret", "get")) {
    secret
      .command("get")
      .description("show a secret's values (this is the command that prints values)")
      .argument("<name>", "the secret's name or id")
      .addOption(selectPrivate())
      .option("-k, --key <key>", "print only this key's value, as it is (for scripts)")
      .addHelpText(
        "after",
        examples(
          "coffer secret get db",
          "coffer secret get db --key password",
          "coffer secret get db --private false --json",
        ),
      )
      .action(action(async () => (await import("./commands/secret-read.js")).get));
  }

  if (want("secret", "list")) {
    secret
      .command("list")
      .description("list the secrets you can see (names, keys and owners; never values)")
      .option("--name <name>", "exactly this name")
      .option("--name-contains <text>", "names containing this text")
      .option("--name-starts-with <text>", "names starting with this text")
      .option("--name-ends-with <text>", "names ending with this text")
      .addOption(
        new Option(
          "-p, --private <true|false>",
          "only private (true) or only public (false) secrets",
        ).argParser(parseBoolean),
      )
      .option("--owner <user>", "only secrets this user created")
      .option("--created-after <time>", "created at or after this ISO time")
      .option("--created-before <time>", "created before this ISO time")
      .option("--updated-after <time>", "changed at or after this ISO time")
      .option("--updated-before <time>", "changed before this ISO time")
      .addOption(
        new Option("--sort <field>", "sort by").choices(["name", "created", "updated"]).default("name"),
      )
      .option("--desc", "sort in descending order")
      .addOption(new Option("--limit <n>", "secrets per page, 1-1000").argParser(parseCount).default(50))
      .option("--cursor <cursor>", "the page after the one that printed this cursor")
      .option("--all", "every page, not just the first")
      .addHelpText(
        "after",
        examples(
          "coffer secret list",
          "coffer secret list --name-starts-with payments/ --sort updated --desc",
          "coffer secret list --private true --all --json",
        ),
      )
      .action(action(async () => (await import("./commands/secret-read.js")).list));
  }

  if (want("secret", "update")) {
    secret
      .command("update")
      .description("change values (merged into the current ones), remove keys, or change visibility")
      .argument("<name>", "the secret's name or id (your private one first, then the public one)")
      .option("-v, --values <json|yaml|@file>", "keys and values to set, as for create (repeatable)", collect)
      .option("-i, --interactive", "ask for keys and values to set at the terminal (values hidden)")
      .option("-r, --remove-keys <keys>", "keys to remove, comma-separated (repeatable)", collect)
      .option("--replace", "the given values replace all current ones instead of merging")
      .addOption(
        new Option(
          "-p, --private <true|false>",
          "make the secret private (true) or public (false)",
        ).argParser(parseBoolean),
      )
      .addOption(
        new Option("--expected-version <n>", "change it only if it is still at this version").argParser(
          parseCount,
        ),
      )
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText(
        "after",
        help`
  Values are given as for create (--KEY=VALUE, @file, --values, -i). To change the public secret
  when you also have a private one of the same name, give its id.
  ${examples(
    "coffer secret update db --password=@new-password.txt",
    "coffer secret update db --remove-keys old_token,legacy",
    "coffer secret update db --private true",
  )}`,
      )
      .action(action(async () => (await import("./commands/secret-write.js")).update));
  }

  if (want("secret", "rename")) {
    secret
      .command("rename")
      .description("give a secret a new name")
      .argument("<name>", "the secret's name or id")
      .argument("<new-name>", "its new name")
      .addOption(selectPrivate())
      .addHelpText("after", examples("coffer secret rename db db-primary"))
      .action(action(async () => (await import("./commands/secret-write.js")).rename));
  }

  if (want("secret", "delete")) {
    secret
      .command("delete")
      .description("delete a secret (asks first unless -y)")
      .argument("<name>", "the secret's name or id")
      .addOption(selectPrivate())
      .option("-y, --yes", "do not ask for confirmation")
      .addHelpText("after", examples("coffer secret delete db", "coffer secret delete db --private true -y"))
      .action(action(async () => (await import("./commands/secret-write.js")).remove));
  }

  if (want("secret", "export")) {
    secret
      .command("export")
      .description("write a secret's values to a YAML (or JSON) file, in plain text, mode 0600")
      .argument("<name>", "the secret's name or id")
      .addOption(selectPrivate())
      .option("-o, --output <file>", "where to write (default: <name>.yaml; - for standard output)")
      .option("-f, --force", "overwrite the file if it exists")
      .addHelpText(
        "after",
        help`
  The file holds the values in plain text: keep it private and delete it when done. Re-import it
  with 'coffer secret create NAME --values @FILE'.
  ${examples("coffer secret export db -o db.yaml", "coffer secret export db -o db.json", "coffer secret export db -o -")}`,
      )
      .action(action(async () => (await import("./commands/secret-files.js")).exportSecret));
  }

  if (want("secret", "validate")) {
    secret
      .command("validate")
      .description("check the {{name.key}} references in a YAML or JSON file against the store")
      .argument("<file>", "a YAML or JSON file")
      .addOption(
        new Option(
          "--level <level>",
          "how much to check (default: COFFER_SECRET_VALIDATION_LEVEL, else SECRET_AND_KEY_EXISTS)",
        ).choices(["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"]),
      )
      .addHelpText(
        "after",
        help`
  A reference {{db.password}} is key 'password' of secret 'db'; quote names with dots or spaces:
  {{"api.example.com".token}}. Validation reads names and keys only, never values.
  ${examples("coffer secret validate app.yaml", "coffer secret validate app.json --level SECRET_EXISTS --json")}`,
      )
      .action(action(async () => (await import("./commands/secret-files.js")).validate));
  }

  if (want("secret", "resolve")) {
    secret
      .command("resolve")
      .description("print a YAML or JSON file with its {{name.key}} references replaced by values")
      .argument("<file>", "a YAML or JSON file")
      .option("-o, --output <file>", "write to this file (mode 0600) instead of standard output")
      .option("-f, --force", "overwrite the output file if it exists")
      .addHelpText(
        "after",
        examples("coffer secret resolve app.yaml", "coffer secret resolve app.yaml -o app.resolved.yaml"),
      )
      .action(action(async () => (await import("./commands/secret-files.js")).resolve));
  }

  if (want("run")) {
    program
      .command("run")
      .description("run a command with secrets as environment variables")
      .argument("<command...>", "the command and its arguments (after --)")
      .requiredOption("-s, --secret <names>", "secrets to load, comma-separated (repeatable)", collect)
      .option("--prefix", "name each variable <SECRET>_<KEY> instead of <KEY>")
      .option(
        "--allow-env <names>",
        "let the secrets set these refused variables, e.g. NODE_OPTIONS (comma-separated, repeatable)",
        collect,
      )
      .addHelpText(
        "after",
        help`
  Each key becomes a variable: upper-cased, with every character other than A-Z, 0-9 and _
  turned into _ (and a leading _ before a digit): password -> PASSWORD, smtp.host -> SMTP_HOST.
  With --prefix the secret's name goes in front the same way: db + password -> DB_PASSWORD. Two
  keys that map to the same variable are an error (exit 5); secrets win over variables already set.
  Local overrides (COFFER_LOCAL_SECRET_<NAME>) apply. The command's exit code is coffer's; signals
  are passed on to it. A name containing a comma is written with \\, (backslash-comma).

  Whoever may write a secret must not choose the code its readers run, so variables that change how
  programs are found, loaded or started are refused (exit 5, nothing run) unless named with
  --allow-env:
  ${wrapList(describeRefusedVariables())}.
  ${examples("coffer run -s db -- ./start-server --port 8080", "coffer run -s db,stripe --prefix -- env", "coffer run -s tooling --allow-env NODE_OPTIONS -- node app.js")}`,
      )
      .action(action(async () => (await import("./commands/run.js")).run));
  }

  const store = program.command("store").description("the store behind Coffer").addHelpCommand(false);
  if (want("store", "info")) {
    store
      .command("info")
      .description("which store, where it keeps values, and whether it answers")
      .addHelpText("after", examples("coffer store info", "coffer store info --json"))
      .action(action(async () => (await import("./commands/store.js")).info));
  }
  if (want("store", "rotate-key")) {
    store
      .command("rotate-key")
      .description("re-encrypt every secret under a new key (stores with managed keys: sql)")
      .option("--batch-size <n>", "secrets per transaction", parseCount)
      .option("--no-generate", "do not make a new key; finish moving secrets onto the active one")
      .addHelpText("after", examples("coffer store rotate-key", "coffer store rotate-key --no-generate"))
      .action(action(async () => (await import("./commands/store.js")).rotateKey));
  }

  if (want("reconcile")) {
    program
      .command("reconcile")
      .description("finish writes that a crash or an outage left half-done")
      .option(
        "--older-than <seconds>",
        "only writes stuck for longer than this (default: the 30 s lease)",
        parseCount,
      )
      .addHelpText("after", examples("coffer reconcile", "coffer reconcile --json"))
      .action(action(async () => (await import("./commands/store.js")).reconcile));
  }

  const load = async () => import("./commands/server.js");

  if (want("login")) {
    program
      .command("login")
      .description("use a Coffer server from now on (remote mode); checks the token first")
      .requiredOption("--url <url>", "the server, e.g. https://coffer.example.com:8700")
      .option("--token <token>", "the API token (default: COFFER_TOKEN, else asked for, hidden)")
      .addHelpText(
        "after",
        help`
  The URL and token go to ~/.config/coffer/credentials.json (mode 0600). COFFER_URL and
  COFFER_TOKEN, when set, win over it. coffer logout goes back to the local store.
  ${examples("coffer login --url https://coffer.example.com:8700", "coffer login --url http://127.0.0.1:8700 --token coffer_…")}`,
      )
      .action(action(async () => (await load()).login));
  }
  if (want("logout")) {
    program
      .command("logout")
      .description("forget the server: work on the local store again")
      .addHelpText("after", examples("coffer logout"))
      .action(action(async () => (await load()).logout));
  }

  const server = program.command("server").description("run a Coffer server").addHelpCommand(false);
  if (want("server", "start")) {
    server
      .command("start")
      .description("serve the REST API on this machine's configuration until Ctrl-C")
      .option("--host <host>", "interface to listen on (default: COFFER_SERVER_HOST, else 127.0.0.1)")
      .option("--port <port>", "port (default: COFFER_SERVER_PORT, else 8700)", parseCount)
      .addHelpText(
        "after",
        help`
  On the first start it creates the admin user and prints its token once. Every COFFER_* setting
  applies (docs/operators.md lists them); COFFER_DATABASE_URL=postgres://… for a shared server.
  ${examples("coffer server start", "COFFER_DATABASE_URL=postgres://coffer@db/coffer coffer server start --host 0.0.0.0")}`,
      )
      .action(action(async () => (await load()).serverStart));
  }

  const roles = ["reader", "value-reader", "writer", "admin"];
  const user = program.command("user").description("the server's users (admin)").addHelpCommand(false);
  if (want("user", "list")) {
    user
      .command("list")
      .description("list the users and their roles")
      .addHelpText("after", examples("coffer user list", "coffer user list --json"))
      .action(action(async () => (await load()).userList));
  }
  if (want("user", "create")) {
    user
      .command("create")
      .description("add a user")
      .argument("<name>", "the user name (lowercase letters, digits, . _ - @)")
      .addOption(new Option("--role <role>", "what they may do").choices(roles).makeOptionMandatory())
      .addHelpText("after", examples("coffer user create ci-bot --role value-reader"))
      .action(action(async () => (await load()).userCreate));
  }
  if (want("user", "set-role")) {
    user
      .command("set-role")
      .description("change a user's role")
      .argument("<name>", "the user")
      .argument("<role>", roles.join(" | "))
      .addHelpText("after", examples("coffer user set-role ci-bot writer"))
      .action(action(async () => (await load()).userSetRole));
  }
  if (want("user", "delete")) {
    user
      .command("delete")
      .description("remove a user and revoke their tokens (their secrets stay)")
      .argument("<name>", "the user")
      .option("-y, --yes", "do not ask for confirmation")
      .addHelpText("after", examples("coffer user delete ci-bot -y"))
      .action(action(async () => (await load()).userDelete));
  }

  const token = program.command("token").description("API tokens").addHelpCommand(false);
  if (want("token", "list")) {
    token
      .command("list")
      .description("your tokens (every token, for admins); never the tokens themselves")
      .addHelpText("after", examples("coffer token list"))
      .action(action(async () => (await load()).tokenList));
  }
  if (want("token", "create")) {
    token
      .command("create")
      .description("make a token and print it (the only time it is shown)")
      .option(
        "--user <name>",
        "admins: an enrollment token for a new user, which only makes that user's own token (default: your own token)",
      )
      .option("--description <text>", "what it is for, e.g. 'CI deploys'")
      .option(
        "--expires-in-days <days>",
        "expiry (default: never; enrollment tokens 1, at most 7)",
        parseCount,
      )
      .addHelpText(
        "after",
        examples(
          "coffer token create --description laptop --expires-in-days 90",
          "coffer token create --user ci-bot",
        ),
      )
      .action(action(async () => (await load()).tokenCreate));
  }
  if (want("token", "revoke")) {
    token
      .command("revoke")
      .description("stop a token from working")
      .argument("<id>", "the token's id (coffer token list)")
      .addHelpText("after", examples("coffer token revoke k3x9q2m1a0zz"))
      .action(action(async () => (await load()).tokenRevoke));
  }

  return program;
}
