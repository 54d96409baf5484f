/**
 * The bash completion script, written from the command tree (completion-model.ts). It needs bash
 * alone (no bash-completion package): the tables below say, for each command path, the words that
 * may follow, the options, how each option's value completes, and how each argument does; `_coffer`
 * walks the words typed so far to find the command path, then picks from those tables.
 */
import { type CompletionCommand, caseArm, kindWord, shellQuote } from "./completion-model.js";

export function bashScript(tree: readonly CompletionCommand[]): string {
  const words = tree
    .filter((command) => command.words.length > 0)
    .map((command) =>
      caseArm([command.path.join(" ")], `echo ${shellQuote(command.words.map((w) => w.name).join(" "))}`),
    );
  const options = tree.map((command) =>
    caseArm(
      [command.path.join(" ")],
      `echo ${shellQuote(command.options.flatMap((option) => option.names).join(" "))}`,
    ),
  );
  const values = tree.flatMap((command) =>
    command.options
      .filter((option) => option.takes !== "none")
      .map((option) =>
        caseArm(
          option.names.map((name) => `${command.path.join(" ")}|${name}`),
          `echo ${shellQuote(`${option.takes} ${kindWord(option.value)}`)}`,
        ),
      ),
  );
  const argumentsArms = tree.flatMap((command) =>
    command.arguments.map((value, index) =>
      caseArm([`${command.path.join(" ")}|${index}`], `echo ${shellQuote(kindWord(value))}`),
    ),
  );
  // A command argument (`run … -- COMMAND ARGS…`) is followed by the command's own arguments: files.
  const afterCommand = tree.flatMap((command) => {
    const at = command.arguments.findIndex((value) => value.kind === "command");
    return at < 0 ? [] : [caseArm([command.path.join(" ")], `echo ${at}`)];
  });

  return `# bash completion for coffer, written by \`coffer completion bash\` from coffer's command tree.
# Load it in this shell:   source <(coffer completion bash)
# or for every new one:    coffer completion bash > ~/.local/share/bash-completion/completions/coffer
# (or add the first line to ~/.bashrc). Regenerate it after upgrading coffer.

# The words that may follow a command path ("" is coffer itself).
_coffer_words() {
  case "$1" in
${words.join("\n")}
  esac
}

# The options of a command path.
_coffer_options() {
  case "$1" in
${options.join("\n")}
  esac
}

# "required KIND" or "optional KIND" for an option that takes a value; nothing for a flag.
_coffer_option_value() {
  case "$1|$2" in
${values.join("\n")}
  esac
}

# How argument N (from 0) of a command path completes.
_coffer_argument() {
  case "$1|$2" in
${argumentsArms.join("\n")}
  esac
}

# Which argument of a command path is the command it runs (coffer run).
_coffer_command_argument() {
  case "$1" in
${afterCommand.join("\n")}
  esac
}

# Fills COMPREPLY with what completes $2 as a value of kind $1 ("choice a b", "file", …).
_coffer_complete_kind() {
  local kind="$1" cur="$2"
  case "$kind" in
    choice\\ *) COMPREPLY=($(compgen -W "\${kind#choice }" -- "$cur")) ;;
    file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    at-file)
      if [[ "$cur" == @* ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "\${cur#@}"))
        COMPREPLY=("\${COMPREPLY[@]/#/@}")
      fi
      ;;
    command) COMPREPLY=($(compgen -c -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

_coffer() {
  COMPREPLY=()
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word next value kind
  local i=1 positional=0 dashdash=0 value_of=""
  # bash splits --level=NONE into --level, =, NONE (= is in COMP_WORDBREAKS).
  if [[ "$cur" == "=" ]]; then cur=""; fi
  while ((i < COMP_CWORD)); do
    word="\${COMP_WORDS[i]}"
    if ((dashdash)); then
      positional=$((positional + 1))
    elif [[ "$word" == "--" ]]; then
      dashdash=1
    elif [[ "$word" == -* ]]; then
      value="$(_coffer_option_value "$path" "$word")"
      next=$((i + 1))
      if [[ "$value" == required* || ("$value" == optional* && "\${COMP_WORDS[next]}" == "=") ]]; then
        # Its value: the next word, or the one after a "=".
        [[ "\${COMP_WORDS[next]}" == "=" ]] && next=$((next + 1))
        if ((next >= COMP_CWORD)); then
          value_of="$value"
          break
        fi
        i=$next
      fi
    else
      # A word of the tree names a command; any other is an argument.
      if ((positional == 0)) && [[ " $(_coffer_words "$path") " == *" $word "* ]]; then
        path="\${path:+$path }$word"
      else
        positional=$((positional + 1))
      fi
    fi
    i=$((i + 1))
  done

  if [[ -n "$value_of" ]]; then
    _coffer_complete_kind "\${value_of#* }" "$cur"
    return 0
  fi
  local at
  at="$(_coffer_command_argument "$path")"
  if [[ -n "$at" ]] && ((dashdash || positional > at)); then
    # coffer run … -- COMMAND ARGS…: a program, then files.
    if ((positional == at)); then _coffer_complete_kind command "$cur"; else _coffer_complete_kind file "$cur"; fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_coffer_options "$path")" -- "$cur"))
    return 0
  fi
  local words
  words="$(_coffer_words "$path")"
  if [[ -n "$words" ]] && ((positional == 0)); then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return 0
  fi
  _coffer_complete_kind "$(_coffer_argument "$path" "$positional")" "$cur"
  return 0
}

complete -F _coffer coffer
`;
}
