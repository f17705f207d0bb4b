package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tokentray/tokentray/app/config"
)

// compCommand is what the completion scripts know of a command.
type compCommand struct {
	name, summary string
	flags         []compFlag
	// words are the fixed values of the first positional argument; with
	// profiles it is a profile name; exec takes a command after that.
	words    []string
	profiles bool
}

type compFlag struct {
	name, usage string
	value       bool     // takes a value
	values      []string // the values it takes, when fixed
	files, dirs bool
}

// globalFlags are the flags every command has.
var globalFlags = []compFlag{
	{name: "config", usage: "the config file", value: true, files: true},
	{name: "runtime-dir", usage: "the agent's private directory", value: true, dirs: true},
	{name: "debug", usage: "log at debug level"},
	{name: "help", usage: "usage and an example"},
}

// fixedValues are the values of flags that take one of a few.
var fixedValues = map[string][]string{
	"format": {"raw", "json", "header", "exec-credential"},
}

// completionWords are the fixed first positional arguments of commands;
// a profile name, if the command takes one, comes after them.
var completionWords = map[string][]string{
	"completion":     {"bash", "zsh", "fish"},
	"git-credential": {"get", "store", "erase"},
	"secret":         {"set", "set-key", "delete"},
}

// completionModel asks every command for its flags by running it with -h:
// commands define their flags and parse before doing anything.
func completionModel() []compCommand {
	var out []compCommand
	quiet := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	for _, cmd := range commands() {
		c := newCommandContext(context.Background(), quiet, cmd)
		if err := cmd.run(withArgs(c, []string{"-h"})); !errors.Is(err, flag.ErrHelp) {
			panic(fmt.Sprintf("cli: %s -h did not stop at its flags: %v", cmd.name, err))
		}
		cc := compCommand{name: cmd.name, summary: cmd.summary, words: completionWords[cmd.name], profiles: strings.Contains(cmd.args, "PROFILE")}
		c.fs.VisitAll(func(f *flag.Flag) {
			if slices.ContainsFunc(globalFlags, func(g compFlag) bool { return g.name == f.Name }) {
				return
			}
			_, usage := flag.UnquoteUsage(f)
			bf, isBool := f.Value.(interface{ IsBoolFlag() bool })
			cc.flags = append(cc.flags, compFlag{name: f.Name, usage: firstClause(usage), value: !isBool || !bf.IsBoolFlag(), values: fixedValues[f.Name]})
		})
		out = append(out, cc)
	}
	return out
}

// firstClause shortens a flag's usage for a completion menu.
func firstClause(s string) string {
	if i := strings.IndexAny(s, ";("); i > 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func runCompletion(c *cmdContext) error {
	if err := c.parse(c.pending, 1); err != nil {
		return err
	}
	if len(c.args) == 0 {
		c.usage(c.env.Stderr)
		return fmt.Errorf("%w: name a shell: bash, zsh or fish", errUsage)
	}
	switch c.args[0] {
	case "bash":
		c.printf("%s", bashCompletion(completionModel()))
	case "zsh":
		c.printf("%s", zshCompletion(completionModel()))
	case "fish":
		c.printf("%s", fishCompletion(completionModel()))
	case "profiles":
		// For the scripts: the profile names of the config file. It never
		// asks (or starts) the agent, and says nothing when it cannot.
		if cfg, err := config.Load(c.configPath); err == nil {
			for _, p := range cfg.Profiles {
				c.printf("%s\n", p.Name)
			}
		}
	default:
		return fmt.Errorf("%w: no completion for %q: bash, zsh or fish", errUsage, c.args[0])
	}
	return nil
}

// shellQuote quotes s for sh, bash, zsh and fish alike.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func names(cmds []compCommand) string {
	var n []string
	for _, c := range cmds {
		n = append(n, c.name)
	}
	return strings.Join(n, " ")
}

func flagWords(fs []compFlag) string {
	var w []string
	for _, f := range fs {
		w = append(w, "--"+f.name)
	}
	return strings.Join(w, " ")
}

// valueFlags lists the flags that take a value, with one and two dashes.
func valueFlags(fs []compFlag) string {
	var w []string
	for _, f := range fs {
		if f.value {
			w = append(w, "--"+f.name, "-"+f.name)
		}
	}
	return strings.Join(w, " ")
}

func bashCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`# bash completion for tokentray. Load it with
#   source <(tokentray completion bash)
# or save it as ~/.local/share/bash-completion/completions/tokentray.

_tokentray_profiles() {
    local i cfg=""
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        case "${COMP_WORDS[i]}" in
            --config | -config) cfg="${COMP_WORDS[i + 1]}" ;;
        esac
    done
    if [[ -n $cfg ]]; then
        tokentray completion profiles --config "$cfg" 2>/dev/null
    else
        tokentray completion profiles 2>/dev/null
    fi
}

_tokentray() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD - 1]}"
    local cmd="" cmdi=0 i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
            --config | -config | --runtime-dir | -runtime-dir) ((i++)) ;;
            -*) ;;
            *) cmd="$w"; cmdi=$i; break ;;
        esac
    done
    case "$prev" in
        --config | -config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --runtime-dir | -runtime-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    esac
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "` + flagWords(globalFlags) + `" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "` + names(cmds) + `" -- "$cur"))
        fi
        return
    fi
    local flags="` + flagWords(globalFlags) + `" valueflags="` + valueFlags(globalFlags) + `" words="" profiles=0
    case "$cmd" in
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "        %s) flags+=\" %s\"; valueflags+=\" %s\"; words=%s; profiles=%d ;;\n",
			c.name, flagWords(c.flags), valueFlags(c.flags), shellQuote(strings.Join(c.words, " ")), btoi(c.profiles))
	}
	b.WriteString(`        *) return ;;
    esac
    case "$prev" in
`)
	for _, v := range sortedFixedValues() {
		fmt.Fprintf(&b, "        --%s | -%s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", v, v, shellQuote(strings.Join(fixedValues[v], " ")))
	}
	b.WriteString(`    esac
    if [[ -n $prev && " $valueflags " == *" $prev "* ]]; then
        return # a flag's value: nothing to offer
    fi
    local n=0 after=0 dashdash=0
    for ((i = cmdi + 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        if ((dashdash)); then ((after++)); continue; fi
        case "$w" in
            --) dashdash=1 ;;
            -*) [[ " $valueflags " == *" $w "* ]] && ((i++)) ;;
            *) ((n++)) ;;
        esac
    done
    if [[ $cmd == exec ]]; then
        # exec PROFILE [--] COMMAND ARGS...: the command, then its arguments.
        if ((dashdash && after == 0 || !dashdash && n == 1)); then
            COMPREPLY=($(compgen -c -- "$cur"))
            return
        elif ((dashdash || n >= 2)); then
            COMPREPLY=($(compgen -f -- "$cur"))
            return
        fi
    fi
    local ppos=0
    [[ -n $words ]] && ppos=1
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif ((n == 0)) && [[ -n $words ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    elif ((n == ppos && profiles)); then
        COMPREPLY=($(compgen -W "$(_tokentray_profiles)" -- "$cur"))
    fi
}

complete -F _tokentray tokentray
`)
	return b.String()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedFixedValues() []string {
	var k []string
	for name := range fixedValues {
		k = append(k, name)
	}
	slices.Sort(k)
	return k
}

func zshCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`#compdef tokentray
# zsh completion for tokentray. Load it with
#   source <(tokentray completion zsh)
# or save it as _tokentray in a directory of $fpath.

_tokentray_profiles() {
    local -a profiles
    local cfg="${words[(i)--config]}"
    if ((cfg < CURRENT)); then
        profiles=(${(f)"$(tokentray completion profiles --config "${words[cfg + 1]}" 2>/dev/null)"})
    else
        profiles=(${(f)"$(tokentray completion profiles 2>/dev/null)"})
    fi
    compadd -a profiles
}

_tokentray() {
    local -a commands flags
    commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "        %s\n", shellQuote(c.name+":"+strings.ReplaceAll(c.summary, ":", `\:`)))
	}
	b.WriteString(`    )
    local cmd="" cmdi=0 i w cur="${words[CURRENT]}" prev="${words[CURRENT - 1]}"
    for ((i = 2; i < CURRENT; i++)); do
        w="${words[i]}"
        case "$w" in
            --config | -config | --runtime-dir | -runtime-dir) ((i++)) ;;
            -*) ;;
            *) cmd="$w"; cmdi=$i; break ;;
        esac
    done
    case "$prev" in
        --config | -config) _files; return ;;
        --runtime-dir | -runtime-dir) _files -/; return ;;
`)
	for _, v := range sortedFixedValues() {
		fmt.Fprintf(&b, "        --%s | -%s) compadd -- %s; return ;;\n", v, v, strings.Join(fixedValues[v], " "))
	}
	b.WriteString(`    esac
    flags=(
`)
	for _, f := range globalFlags {
		fmt.Fprintf(&b, "        %s\n", shellQuote("--"+f.name+":"+f.usage))
	}
	b.WriteString(`    )
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _describe -t flags 'flag' flags
        else
            _describe -t commands 'tokentray command' commands
        fi
        return
    fi
    local valueflags="` + valueFlags(globalFlags) + `" cwords="" profiles=0
    case "$cmd" in
`)
	for _, c := range cmds {
		var fl []string
		for _, f := range c.flags {
			fl = append(fl, shellQuote("--"+f.name+":"+strings.ReplaceAll(f.usage, ":", `\:`)))
		}
		fmt.Fprintf(&b, "        %s) flags+=(%s); valueflags+=\" %s\"; cwords=%s; profiles=%d ;;\n",
			c.name, strings.Join(fl, " "), valueFlags(c.flags), shellQuote(strings.Join(c.words, " ")), btoi(c.profiles))
	}
	b.WriteString(`        *) return ;;
    esac
    if [[ -n $prev && " $valueflags " == *" $prev "* ]]; then
        return
    fi
    local n=0 after=0 dashdash=0
    for ((i = cmdi + 1; i < CURRENT; i++)); do
        w="${words[i]}"
        if ((dashdash)); then ((after++)); continue; fi
        case "$w" in
            --) dashdash=1 ;;
            -*) [[ " $valueflags " == *" $w "* ]] && ((i++)) ;;
            *) ((n++)) ;;
        esac
    done
    if [[ $cmd == exec ]]; then
        if ((dashdash && after == 0 || !dashdash && n == 1)); then
            _command_names -e
            return
        elif ((dashdash || n >= 2)); then
            _files
            return
        fi
    fi
    local ppos=0
    [[ -n $cwords ]] && ppos=1
    if [[ $cur == -* ]]; then
        _describe -t flags 'flag' flags
    elif ((n == 0)) && [[ -n $cwords ]]; then
        compadd -- ${=cwords}
    elif ((n == ppos && profiles)); then
        _tokentray_profiles
    fi
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _tokentray "$@"
else
    compdef _tokentray tokentray
fi
`)
	return b.String()
}

func fishCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`# fish completion for tokentray. Load it with
#   tokentray completion fish | source
# or save it as ~/.config/fish/completions/tokentray.fish.

# __tokentray_cmd prints the command word, if one was typed.
function __tokentray_cmd
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --config -config --runtime-dir -runtime-dir
                set -e tokens[1]
            case '-*'
            case '*'
                echo $tokens[1]
                return 0
        end
        set -e tokens[1]
    end
    return 1
end

# __tokentray_npos prints how many arguments follow the command word,
# not counting flags and their values ("--" and all after it count).
function __tokentray_npos
    set -l tokens (commandline -opc)
    set -l seen 0
    set -l n 0
    set -l dashdash 0
    set -l skip 0
    for t in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if test $seen = 0
            switch $t
                case --config -config --runtime-dir -runtime-dir
                    set skip 1
                case '-*'
                case '*'
                    set seen 1
            end
            continue
        end
        if test $dashdash = 1
            set n (math $n + 1)
            continue
        end
        switch $t
            case --
                set dashdash 1
            case ` + strings.Join(strings.Fields(valueFlagsAll(cmds)), " ") + `
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    echo $n
end

function __tokentray_is
    set -l cmd (__tokentray_cmd)
    test "$cmd" = "$argv[1]"
end

function __tokentray_profiles
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --config $tokens)
    if test -n "$i"
        tokentray completion profiles --config $tokens[(math $i + 1)] 2>/dev/null
    else
        tokentray completion profiles 2>/dev/null
    end
end

complete -c tokentray -f
complete -c tokentray -l config -r -F -d 'the config file'
complete -c tokentray -l runtime-dir -x -a '(__fish_complete_directories)' -d "the agent's private directory"
complete -c tokentray -l debug -d 'log at debug level'
complete -c tokentray -l help -d 'usage and an example'
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c tokentray -n 'not __tokentray_cmd' -a %s -d %s\n", c.name, shellQuote(c.summary))
	}
	for _, c := range cmds {
		cond := shellQuote("__tokentray_is " + c.name)
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c tokentray -n %s -l %s -d %s", cond, f.name, shellQuote(f.usage))
			switch {
			case len(f.values) > 0:
				line += " -x -a " + shellQuote(strings.Join(f.values, " "))
			case f.value:
				line += " -x"
			}
			b.WriteString(line + "\n")
		}
		at := func(n int) string {
			return shellQuote(fmt.Sprintf("__tokentray_is %s; and test (__tokentray_npos) -eq %d", c.name, n))
		}
		ppos := 0
		if len(c.words) > 0 {
			fmt.Fprintf(&b, "complete -c tokentray -n %s -a %s\n", at(0), shellQuote(strings.Join(c.words, " ")))
			ppos = 1
		}
		if c.profiles {
			fmt.Fprintf(&b, "complete -c tokentray -n %s -a '(__tokentray_profiles)'\n", at(ppos))
		}
		if c.name == "exec" {
			fmt.Fprintf(&b, "complete -c tokentray -n %s -a '(__fish_complete_command)'\n",
				shellQuote("__tokentray_is exec; and test (__tokentray_npos) -eq 1"))
			fmt.Fprintf(&b, "complete -c tokentray -n %s -F\n",
				shellQuote("__tokentray_is exec; and test (__tokentray_npos) -ge 2"))
		}
	}
	return b.String()
}

// valueFlagsAll lists every flag of any command that takes a value.
func valueFlagsAll(cmds []compCommand) string {
	seen := map[string]bool{}
	var w []string
	for _, c := range cmds {
		for _, f := range c.flags {
			if f.value && !seen[f.name] {
				seen[f.name] = true
				w = append(w, "--"+f.name, "-"+f.name)
			}
		}
	}
	if len(w) == 0 {
		return "--no-such-flag"
	}
	return strings.Join(w, " ")
}
