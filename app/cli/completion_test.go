package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const completionConfig = `[[profile]]
name = "work"
issuer = "https://idp.example.com"
client_id = "x"

[[profile]]
name = "wiki"
issuer = "https://idp.example.com"
client_id = "x"
`

// shell finds a shell, which make deps installs.
func shell(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed; run make deps (scripts/install-deps.sh installs it): %v", name, err)
	}
	return p
}

// completionSetup writes the script for sh and a config, and returns the
// script's path and the environment the shell runs in: the shim first on
// PATH as tokentray, TOKENTRAY_CONFIG set, and a runtime dir where no agent
// runs (completing must not need one, nor start one).
func completionSetup(t *testing.T, sh string) (script string, env []string) {
	t.Helper()
	r := runCLI(t, "", "completion", sh)
	if r.code != 0 {
		t.Fatalf("completion %s: %d %s", sh, r.code, r.stderr)
	}
	dir := t.TempDir()
	script = filepath.Join(dir, "tokentray."+sh)
	os.WriteFile(script, []byte(r.stdout), 0o600)
	cfg := filepath.Join(dir, "config.toml")
	os.WriteFile(cfg, []byte(completionConfig), 0o600)
	rundir := filepath.Join(dir, "run")
	t.Cleanup(func() {
		if _, err := os.Stat(filepath.Join(rundir, "agent.sock")); err == nil {
			t.Error("completing started an agent")
		}
	})
	env = append(os.Environ(), "PATH="+filepath.Dir(tokentrayShim(t))+":"+os.Getenv("PATH"),
		"TOKENTRAY_CONFIG="+cfg, "TOKENTRAY_RUNTIME_DIR="+rundir, "HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return script, env
}

func TestCompletionScriptsAreValid(t *testing.T) {
	for _, tt := range []struct{ sh, check string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		t.Run(tt.sh, func(t *testing.T) {
			script, _ := completionSetup(t, tt.sh)
			out, err := exec.Command(shell(t, tt.sh), tt.check, script).CombinedOutput()
			if err != nil {
				t.Errorf("%s %s: %v\n%s", tt.sh, tt.check, err, out)
			}
		})
	}
	if r := runCLI(t, "", "completion", "tcsh"); r.code != 2 {
		t.Errorf("completion tcsh: got %d, want 2", r.code)
	}
}

// completionCases are command lines (the last word is being completed)
// and the candidates every shell must offer for them.
var completionCases = []struct {
	line string
	want []string
}{
	{"tokentray to", []string{"token"}},
	{"tokentray ", []string{"agent", "completion", "doctor", "exec", "git-credential", "login", "logout", "refresh", "secret", "status", "token", "version"}},
	{"tokentray token ", []string{"wiki", "work"}},
	{"tokentray token wo", []string{"work"}},
	{"tokentray token work ", nil},
	{"tokentray token --fo", []string{"--format"}},
	{"tokentray token --format ", []string{"exec-credential", "header", "json", "raw"}},
	{"tokentray login --no", []string{"--no-browser"}},
	{"tokentray --debug logout ", []string{"wiki", "work"}},
	{"tokentray git-credential ", []string{"erase", "get", "store"}},
	{"tokentray completion ", []string{"bash", "fish", "zsh"}},
	{"tokentray secret ", []string{"delete", "set", "set-key"}},
	{"tokentray secret set ", []string{"wiki", "work"}},
	{"tokentray exec ", []string{"wiki", "work"}},
	{"tokentray exec --env X ", []string{"wiki", "work"}},
}

func TestBashCompletion(t *testing.T) {
	script, env := completionSetup(t, "bash")
	cases := append(completionCases[:len(completionCases):len(completionCases)], struct {
		line string
		want []string
	}{"tokentray exec work -- bas", []string{"bash"}})
	for _, tt := range cases {
		t.Run(tt.line, func(t *testing.T) {
			words := strings.Split(tt.line, " ")
			prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _tokentray; printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command(shell(t, "bash"), append([]string{"-c", prog, "bash", script}, words...)...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			check(t, out, tt.want, tt.line == "tokentray exec work -- bas")
		})
	}
}

func TestFishCompletion(t *testing.T) {
	script, env := completionSetup(t, "fish")
	for _, tt := range completionCases {
		t.Run(tt.line, func(t *testing.T) {
			cmd := exec.Command(shell(t, "fish"), "--no-config", "-c", `source $argv[1]; complete -C $argv[2] | string replace -r '\t.*' ''; true`, script, tt.line)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			check(t, out, tt.want, false)
		})
	}
}

// zshCapture types a command line and TAB into an interactive zsh on a
// pseudo-terminal (zsh/zpty), with compadd wrapped to print what the
// completion system is given.
const zshCapture = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT= ; autoload -U compinit; compinit -u -D; source ${(q)1}"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; (( $#__hits )) && print -rl -- "<HI""T>"${^__hits}; builtin compadd "$@" }'
zpty -w z '_cap_done() { print "<DO""NE>" }; zle -N _cap_done; bindkey "^X" _cap_done; bindkey "^I" complete-word'
zpty -n -w z "$2"$'\t'
zpty -n -w z $'\C-x'
while zpty -r z line; do
  [[ $line == *"<DONE>"* ]] && break
  [[ $line == *"<HIT>"* ]] && print -r -- "${${line##*<HIT>}%%[$'\r\n']*}"
done
zpty -d z
`

func TestZshCompletion(t *testing.T) {
	script, env := completionSetup(t, "zsh")
	for _, tt := range completionCases {
		t.Run(tt.line, func(t *testing.T) {
			cmd := exec.Command(shell(t, "zsh"), "-f", "-c", zshCapture, "zsh", script, tt.line)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			check(t, out, tt.want, false)
		})
	}
}

// check compares the candidates a shell printed, one per line, with want;
// with contains, want need only be among them.
func check(t *testing.T, out []byte, want []string, contains bool) {
	t.Helper()
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(got, l) {
			got = append(got, l)
		}
	}
	slices.Sort(got)
	if contains {
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("got %q, want it to contain %q", got, w)
			}
		}
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
