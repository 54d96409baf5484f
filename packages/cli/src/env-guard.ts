/**
 * Variables `coffer run` refuses to set from a secret unless the user names them with
 * `--allow-env NAME`: those that change how programs are found, loaded or started rather than
 * handing them data. Anyone who may write a secret could otherwise run code on the machine of
 * everyone who runs `coffer run -s that-secret`: a key `node_options` = `--require=/tmp/x.js`
 * loads a script into every Node.js child, `ld_preload` loads a library into every dynamically
 * linked one, `path` replaces the programs `sh -c` finds.
 *
 * Sources, merged: glibc's UNSECURE_ENVVARS (what ld.so drops for set-uid programs,
 * sysdeps/generic/unsecvars.h), sudo's env_reset "bad variable" table (env.c), shadow-utils'
 * forbidden list (HOME, SHELL, PATH, IFS…), OpenSSH's reason for PermitUserEnvironment=no (a
 * user's environment could set LD_PRELOAD), and each language runtime's documented startup
 * variables (Node.js, Python, Perl, Ruby, Java, .NET, Lua, PHP, Git).
 */

export interface RefusedVariable {
  /** An exact name, or a prefix when `prefix` is set. */
  name: string;
  prefix?: true;
  why: string;
}

const LOADER = "the dynamic loader reads it (libraries loaded into every program)";
const SHELL = "a shell reads it at start (runs code or changes how commands are parsed)";
const SEARCH = "it changes where programs or their modules are looked up";
const RUNTIME = "a language runtime reads it at start (options, code to load)";
const LIBC = "the C library reads it (glibc drops it for set-uid programs)";
const GIT = "git reads it (configuration, hooks or programs git runs)";
const HELPER = "programs run the command it names";

/** The refused names, grouped for the README and the help text. */
export const REFUSED_VARIABLES: readonly RefusedVariable[] = [
  // Dynamic loaders: glibc/musl (LD_*), macOS (DYLD_*), IRIX (_RLD*), AIX (LDR_*, LIBPATH), HP-UX.
  { name: "LD_", prefix: true, why: LOADER },
  { name: "DYLD_", prefix: true, why: LOADER },
  { name: "_RLD", prefix: true, why: LOADER },
  { name: "LDR_", prefix: true, why: LOADER },
  { name: "LIBPATH", why: LOADER },
  { name: "SHLIB_PATH", why: LOADER },
  // glibc's UNSECURE_ENVVARS besides LD_*.
  ...[
    "GCONV_PATH",
    "GETCONF_DIR",
    "GLIBC_TUNABLES",
    "HOSTALIASES",
    "LOCALDOMAIN",
    "LOCPATH",
    "MALLOC_TRACE",
    "NIS_PATH",
    "NLSPATH",
    "RESOLV_HOST_CONF",
    "RES_OPTIONS",
    "TMPDIR",
    "TZDIR",
  ].map((name) => ({ name, why: LIBC })),
  // Finding programs and configuration.
  { name: "PATH", why: SEARCH },
  { name: "HOME", why: "programs read their configuration (dotfiles that can run code) from it" },
  { name: "XDG_CONFIG_HOME", why: "programs read their configuration (which can run code) from it" },
  { name: "XDG_CONFIG_DIRS", why: "programs read their configuration (which can run code) from it" },
  // Shells (bash, sh/ksh, zsh), after sudo's table.
  ...[
    "ENV",
    "BASH_ENV",
    "SHELL",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "PROMPT_COMMAND",
    "IFS",
    "CDPATH",
    "GLOBIGNORE",
    "FPATH",
    "ZDOTDIR",
    "NULLCMD",
    "READNULLCMD",
    "TMPPREFIX",
  ].map((name) => ({ name, why: SHELL })),
  { name: "BASH_FUNC_", prefix: true, why: "bash imports it as a shell function" },
  // Terminal descriptions (sudo's table): a crafted one is parsed by every curses program.
  ...["TERMINFO", "TERMINFO_DIRS", "TERMPATH", "TERMCAP"].map((name) => ({
    name,
    why: "curses programs load terminal descriptions from it",
  })),
  // Language runtimes.
  ...[
    "NODE_OPTIONS",
    "NODE_PATH",
    "NODE_REPL_EXTERNAL_MODULE",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "NODE_EXTRA_CA_CERTS",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PYTHONINSPECT",
    "PYTHONUSERBASE",
    "PYTHONBREAKPOINT",
    "PYTHONWARNINGS",
    "PYTHONEXECUTABLE",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "PERL5DB",
    "PERLIO_DEBUG",
    "RUBYOPT",
    "RUBYLIB",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "CLASSPATH",
    "DOTNET_STARTUP_HOOKS",
    "CORECLR_ENABLE_PROFILING",
    "CORECLR_PROFILER",
    "CORECLR_PROFILER_PATH",
    "COR_ENABLE_PROFILING",
    "COR_PROFILER",
    "COR_PROFILER_PATH",
    "LUA_INIT",
    "LUA_PATH",
    "LUA_CPATH",
    "PHPRC",
    "PHP_INI_SCAN_DIR",
    "TCLLIBPATH",
  ].map((name) => ({ name, why: RUNTIME })),
  // Git: configuration injected through the environment, and the programs git runs.
  ...[
    "GIT_CONFIG",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_TEMPLATE_DIR",
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_ASKPASS",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PAGER",
    "GIT_EXTERNAL_DIFF",
    "GIT_PROXY_COMMAND",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  ].map((name) => ({ name, why: GIT })),
  { name: "GIT_CONFIG_KEY_", prefix: true, why: GIT },
  { name: "GIT_CONFIG_VALUE_", prefix: true, why: GIT },
  // Helper programs other programs start.
  ...["EDITOR", "VISUAL", "PAGER", "BROWSER", "SSH_ASKPASS", "SUDO_ASKPASS", "SUDO_EDITOR"].map((name) => ({
    name,
    why: HELPER,
  })),
];

const EXACT = new Map(REFUSED_VARIABLES.filter((v) => !v.prefix).map((v) => [v.name, v]));
const PREFIXES = REFUSED_VARIABLES.filter((v) => v.prefix);

/** Why `variable` must not come from a secret, or undefined when it may. */
export function refusedBecause(variable: string): string | undefined {
  const exact = EXACT.get(variable);
  if (exact) return exact.why;
  return PREFIXES.find((v) => variable.startsWith(v.name))?.why;
}

/** The list as the README and `coffer run --help` print it: exact names, then NAME* prefixes. */
export function describeRefusedVariables(): string {
  return REFUSED_VARIABLES.map((v) => (v.prefix ? `${v.name}*` : v.name)).join(", ");
}
