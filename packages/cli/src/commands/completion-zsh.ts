/**
 * The zsh completion script, written from the command tree (completion-model.ts): the same tables
 * and the same walk over the words typed as the bash script, with each word's description shown
 * (`_describe`), files from `_files` and programs from `_command_names`.
 */
import { type CompletionCommand, caseArm, kindWord, optionKey, shellQuote } from "./completion-model.js";

/** `name:description` for _describe (a colon in the name is escaped; descriptions may hold any). */
function described(name: string, description: string): string {
  return `${name.replace(/:/g, "\\:")}:${description}`;
}

export function zshScript(tree: readonly CompletionCommand[]): string {
  const words = tree
    .filter((command) => command.words.length > 0)
    .map((command) =>
      caseArm(
        [command.path.join(" ")],
        `reply=(${command.words.map((word) => shellQuote(described(word.name, word.summary))).join(" ")})`,
      ),
    );
  const options = tree.map((command) =>
    caseArm(
      [command.path.join(" ")],
      `reply=(${command.options
        .flatMap((option) => option.names.map((name) => shellQuote(described(name, option.description))))
        .join(" ")})`,
    ),
  );
  const values = tree.flatMap((command) =>
    command.options
      .filter((option) => option.takes !== "none")
      .map((option) =>
        caseArm(
          option.names.map((name) => optionKey(command.path, name)),
          `REPLY=${shellQuote(`${option.takes} ${kindWord(option.value)}`)}`,
        ),
      ),
  );
  const argumentsArms = tree.flatMap((command) =>
    command.arguments.map((value, index) =>
      caseArm([optionKey(command.path, index)], `REPLY=${shellQuote(kindWord(value))}`),
    ),
  );
  const afterCommand = tree.flatMap((command) => {
    const at = command.arguments.findIndex((value) => value.kind === "command");
    return at < 0 ? [] : [caseArm([command.path.join(" ")], `REPLY=${at}`)];
  });

  return `#compdef coffer
# zsh completion for coffer, written by \`coffer completion zsh\` from coffer's command tree.
# Save it as _coffer in a directory of $fpath (before compinit runs), or in ~/.zshrc after
# compinit: source <(coffer completion zsh). Regenerate it after upgrading coffer.

# The words that may follow a command path ("" is coffer itself), as name:description.
_coffer_words() {
  reply=()
  case "$1" in
${words.join("\n")}
  esac
}

# The options of a command path, as name:description.
_coffer_options() {
  reply=()
  case "$1" in
${options.join("\n")}
  esac
}

# "required KIND" or "optional KIND" for an option that takes a value; empty for a flag.
_coffer_option_value() {
  REPLY=
  case "$1|$2" in
${values.join("\n")}
  esac
}

# How argument N (from 0) of a command path completes.
_coffer_argument() {
  REPLY=
  case "$1|$2" in
${argumentsArms.join("\n")}
  esac
}

# Which argument of a command path is the command it runs (coffer run).
_coffer_command_argument() {
  REPLY=
  case "$1" in
${afterCommand.join("\n")}
  esac
}

# Offers what completes a value of kind $1 ("choice a b", "file", …).
_coffer_complete_kind() {
  local kind="$1"
  case "$kind" in
    choice\\ *)
      local -a values
      values=(\${=kind#choice })
      compadd -a values
      ;;
    file) _files ;;
    at-file) if [[ "$PREFIX" == @* ]]; then compset -P '@'; _files; fi ;;
    command) _command_names -e ;;
  esac
}

_coffer() {
  local cmdpath="" word value_of="" REPLY
  local -a reply
  integer i=2 next positional=0 dashdash=0 at
  while (( i < CURRENT )); do
    word="\${words[i]}"
    if (( dashdash )); then
      positional+=1
    elif [[ "$word" == "--" ]]; then
      dashdash=1
    elif [[ "$word" == -* ]]; then
      # --opt=value is one word here; --opt value takes the next one.
      _coffer_option_value "$cmdpath" "$word"
      if [[ "$REPLY" == required* ]]; then
        next=$(( i + 1 ))
        if (( next >= CURRENT )); then
          value_of="$REPLY"
          break
        fi
        i=$next
      fi
    else
      _coffer_words "$cmdpath"
      if (( positional == 0 )) && (( \${reply[(I)\${(b)word}:*]} )); then
        cmdpath="\${cmdpath:+$cmdpath }$word"
      else
        positional+=1
      fi
    fi
    i+=1
  done

  if [[ -n "$value_of" ]]; then
    _coffer_complete_kind "\${value_of#* }"
    return
  fi
  if [[ "$PREFIX" == --*=* ]]; then
    _coffer_option_value "$cmdpath" "\${PREFIX%%=*}"
    if [[ -n "$REPLY" ]]; then
      compset -P '*='
      _coffer_complete_kind "\${REPLY#* }"
    fi
    return
  fi
  _coffer_command_argument "$cmdpath"
  if [[ -n "$REPLY" ]]; then
    at=$REPLY
    if (( dashdash || positional > at )); then
      # coffer run … -- COMMAND ARGS…: a program, then files.
      if (( positional == at )); then _coffer_complete_kind command; else _coffer_complete_kind file; fi
      return
    fi
  fi
  if [[ "$PREFIX" == -* ]]; then
    _coffer_options "$cmdpath"
    _describe -t options 'coffer option' reply
    return
  fi
  _coffer_words "$cmdpath"
  if (( \${#reply} > 0 && positional == 0 )); then
    _describe -t commands 'coffer command' reply
    return
  fi
  _coffer_argument "$cmdpath" "$positional"
  _coffer_complete_kind "$REPLY"
}

if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _coffer "$@"
else
  compdef _coffer coffer
fi
`;
}
