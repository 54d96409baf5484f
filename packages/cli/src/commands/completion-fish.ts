/**
 * The fish completion script, written from the command tree (completion-model.ts): the same
 * tables and the same walk over the words typed as the bash and zsh scripts, as one `complete`
 * whose candidates (`word<TAB>description`) a function computes; fish filters them by what is typed.
 */
import { type CompletionCommand, kindWord, optionKey } from "./completion-model.js";

/** `text` as one fish word: single-quoted, `\` and `'` escaped. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, "\\$&")}'`;
}

function fishCase(patterns: string[], body: string): string {
  return `        case ${patterns.map(fishQuote).join(" ")}\n            ${body}`;
}

/** `word<TAB>description`, as fish takes a candidate (one line: fish reads candidates by line). */
function candidate(name: string, description: string): string {
  return fishQuote(`${name}\t${description.replace(/\s+/g, " ")}`);
}

export function fishScript(tree: readonly CompletionCommand[]): string {
  const words = tree
    .filter((command) => command.words.length > 0)
    .map((command) =>
      fishCase(
        [command.path.join(" ")],
        `printf '%s\\n' ${command.words.map((word) => candidate(word.name, word.summary)).join(" ")}`,
      ),
    );
  const options = tree.map((command) =>
    fishCase(
      [command.path.join(" ")],
      `printf '%s\\n' ${command.options
        .flatMap((option) => option.names.map((name) => candidate(name, option.description)))
        .join(" ")}`,
    ),
  );
  const values = tree.flatMap((command) =>
    command.options
      .filter((option) => option.takes !== "none")
      .map((option) =>
        fishCase(
          option.names.map((name) => optionKey(command.path, name)),
          `echo ${fishQuote(`${option.takes} ${kindWord(option.value)}`)}`,
        ),
      ),
  );
  const argumentsArms = tree.flatMap((command) =>
    command.arguments.map((value, index) =>
      fishCase([optionKey(command.path, index)], `echo ${fishQuote(kindWord(value))}`),
    ),
  );
  const afterCommand = tree.flatMap((command) => {
    const at = command.arguments.findIndex((value) => value.kind === "command");
    return at < 0 ? [] : [fishCase([command.path.join(" ")], `echo ${at}`)];
  });

  return `# fish completion for coffer, written by \`coffer completion fish\` from coffer's command tree.
# Save it as ~/.config/fish/completions/coffer.fish, or load it in this shell:
# coffer completion fish | source. Regenerate it after upgrading coffer.

# The words that may follow a command path ("" is coffer itself), as word<TAB>description.
function __coffer_words --argument-names cmdpath
    switch "$cmdpath"
${words.join("\n")}
    end
end

# The options of a command path, as option<TAB>description.
function __coffer_options --argument-names cmdpath
    switch "$cmdpath"
${options.join("\n")}
    end
end

# "required KIND" or "optional KIND" for an option that takes a value; nothing for a flag.
function __coffer_option_value --argument-names cmdpath option
    switch "$cmdpath|$option"
${values.join("\n")}
    end
end

# How argument N (from 0) of a command path completes.
function __coffer_argument --argument-names cmdpath index
    switch "$cmdpath|$index"
${argumentsArms.join("\n")}
    end
end

# Which argument of a command path is the command it runs (coffer run).
function __coffer_command_argument --argument-names cmdpath
    switch "$cmdpath"
${afterCommand.join("\n")}
    end
end

# Prints what completes the token $2 as a value of kind $1 ("choice a b", "file", …); $3 is put
# in front of each (the "--opt=" of --opt=value).
function __coffer_complete_kind --argument-names kind token before
    switch "$kind"
        case 'choice *'
            for value in (string split ' ' -- (string replace 'choice ' '' -- "$kind"))
                echo "$before$value"
            end
        case file
            for path in (__fish_complete_path "$token")
                echo "$before$path"
            end
        case at-file
            if string match -q -- '@*' "$token"
                for path in (__fish_complete_path (string sub --start 2 -- "$token"))
                    echo "$before@$path"
                end
            end
        case command
            __fish_complete_command
    end
end

function __coffer_complete
    set -l tokens (commandline -opc)
    set -l token (commandline -ct)
    set -l cmdpath ""
    set -l positional 0
    set -l dashdash 0
    set -l value_of ""
    set -l i 2
    set -l count (count $tokens)
    while test $i -le $count
        set -l word $tokens[$i]
        if test $dashdash -eq 1
            set positional (math $positional + 1)
        else if test "$word" = --
            set dashdash 1
        else if string match -q -- '-*' "$word"
            # --opt=value is one word; --opt value takes the next one.
            set -l value (__coffer_option_value "$cmdpath" "$word")
            if string match -q -- 'required*' "$value"
                if test $i -ge $count
                    set value_of "$value"
                    break
                end
                set i (math $i + 1)
            end
        else if test $positional -eq 0; and contains -- "$word" (__coffer_words "$cmdpath" | string replace -r '\\t.*' '')
            set cmdpath (string trim -- "$cmdpath $word")
        else
            set positional (math $positional + 1)
        end
        set i (math $i + 1)
    end

    if test -n "$value_of"
        __coffer_complete_kind (string replace -r '^\\S+ ' '' -- "$value_of") "$token" ""
        return
    end
    if string match -q -- '--*=*' "$token"
        set -l option (string replace -r '=.*' '' -- "$token")
        set -l value (__coffer_option_value "$cmdpath" "$option")
        if test -n "$value"
            __coffer_complete_kind (string replace -r '^\\S+ ' '' -- "$value") (string replace -r '^[^=]*=' '' -- "$token") "$option="
        end
        return
    end
    set -l at (__coffer_command_argument "$cmdpath")
    if test -n "$at"; and begin; test $dashdash -eq 1; or test $positional -gt $at; end
        # coffer run … -- COMMAND ARGS…: a program, then files.
        if test $positional -eq $at
            __coffer_complete_kind command "$token" ""
        else
            __coffer_complete_kind file "$token" ""
        end
        return
    end
    if string match -q -- '-*' "$token"
        __coffer_options "$cmdpath"
        return
    end
    set -l words (__coffer_words "$cmdpath")
    if test (count $words) -gt 0; and test $positional -eq 0
        printf '%s\\n' $words
        return
    end
    __coffer_complete_kind (__coffer_argument "$cmdpath" $positional) "$token" ""
end

complete -c coffer -e
complete -c coffer -f -a '(__coffer_complete)'
`;
}
