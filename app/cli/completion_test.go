package cli

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/rundir"
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
		if _, err := os.Stat(rundir); err == nil {
			t.Error("completing started an agent")
		}
	})
	env = append(os.Environ(), "PATH="+filepath.Dir(tokentrayShim(t))+":"+os.Getenv("PATH"),
		"TOKENTRAY_CONFIG="+cfg, "TOKENTRAY_RUNTIME_DIR="+rundir, "HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return script, env
}

func TestCompletionScriptsAreValid(t *testing.T) {
	if r := runCLI(t, "", "completion", "powershell"); r.code != 0 || !strings.Contains(r.stdout, "Register-ArgumentCompleter -CommandName 'tokentray'") {
		t.Errorf("completion powershell: got %d %q", r.code, r.stdout)
	}
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
	{"tokentray ", []string{"agent", "completion", "doctor", "exec", "git-credential", "help", "login", "logout", "refresh", "secret", "status", "token", "ui", "version"}},
	{"tokentray token ", []string{"wiki", "work"}},
	{"tokentray token wo", []string{"work"}},
	{"tokentray token work ", nil},
	{"tokentray token --fo", []string{"--format"}},
	{"tokentray token --format ", []string{"exec-credential", "header", "json", "raw"}},
	{"tokentray login --no", []string{"--no-browser"}},
	{"tokentray --debug logout ", []string{"wiki", "work"}},
	{"tokentray git-credential ", []string{"erase", "get", "store"}},
	{"tokentray completion ", []string{"bash", "fish", "powershell", "zsh"}},
	{"tokentray secret ", []string{"delete", "set", "set-key"}},
	{"tokentray secret set ", []string{"wiki", "work"}},
	{"tokentray exec ", []string{"wiki", "work"}},
	{"tokentray exec --env X ", []string{"wiki", "work"}},
	{"tokentray ui ", []string{"about", "details", "login", "settings", "status"}},
	{"tokentray ui details w", []string{"wiki", "work"}},
	{"tokentray help lo", []string{"login", "logout"}},
}

func TestBashCompletion(t *testing.T) {
	script, env := completionSetup(t, "bash")
	cases := append(completionCases[:len(completionCases):len(completionCases)], struct {
		line string
		want []string
	}{"tokentray exec work -- bas", []string{"bash"}})
	for _, tt := range cases {
		t.Run(tt.line, func(t *testing.T) {
			// A TAB (COMP_TYPE 9) at the end of the line, with the
			// bash-completion package loaded, as in an interactive bash.
			words := strings.Split(tt.line, " ")
			prog := `source /usr/share/bash-completion/bash_completion; source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9
__start_tokentray 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command(shell(t, "bash"), append([]string{"-c", prog, "bash", script}, words...)...)
			cmd.Env = env
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash: %v\n%s%s (make deps installs bash-completion)", err, out, stderr.String())
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

// completeArgs asks the command line what to offer for args, as the
// scripts do (`tokentray __complete ARGS…`), and returns the candidates.
func completeArgs(t *testing.T, args ...string) []string {
	t.Helper()
	r := runCLI(t, "", append([]string{"__complete"}, args...)...)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if name, _, _ := strings.Cut(l, "\t"); name != "" && !strings.HasPrefix(name, ":") {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	return got
}

// TestCompletionAsksTheAgent: a running agent's profiles are offered,
// not the config file's; an agent that does not answer costs a moment,
// and the file's are offered.
func TestCompletionAsksTheAgent(t *testing.T) {
	e := newEnv(t, strings.ReplaceAll(completionConfig, `"wiki"`, `"from-agent"`))
	e.start(agent.Options{})
	other := filepath.Join(t.TempDir(), "other.toml")
	os.WriteFile(other, []byte(completionConfig), 0o600)
	if got, want := completeArgs(t, "--config", other, "--runtime-dir", e.rundir, "token", ""), []string{"from-agent", "work"}; !slices.Equal(got, want) {
		t.Errorf("with an agent: got %q, want %q", got, want)
	}

	stuck := t.TempDir()
	l, err := net.Listen("unix", rundir.Socket(stuck)) // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	if got, want := completeArgs(t, "--config", other, "--runtime-dir", stuck, "logout", "w"), []string{"wiki", "work"}; !slices.Equal(got, want) {
		t.Errorf("with a stuck agent: got %q, want %q", got, want)
	}
	if d := time.Since(start); d > 3*completionAgentTimeout {
		t.Errorf("completing with a stuck agent took %v, want about %v", d, completionAgentTimeout)
	}
}
