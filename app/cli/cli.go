// Package cli is tokentray's command line, one github.com/spf13/cobra
// tree: the help texts, the shell completion scripts and the man pages
// all come from it. Every command but `agent` talks to the running agent;
// none of them refreshes a token or opens the keyring for a token on its
// own.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/rundir"
)

// Env is what the command line needs from the process; main wires it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Version        string
	// RunTray runs the tray inside the agent's process until ctx ends. It
	// returns agent.ErrNoTray when the desktop has no tray host; nil means this
	// build has no tray.
	RunTray func(ctx context.Context, a *agent.Agent) error
}

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

// exitStatus ends tokentray with a status and no message of its own (exec
// passes on its child's status; doctor says what failed before).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// cmdContext is one invocation: the global flags, the positional
// arguments, and whether a command's own code ran (an error before that
// is cobra's: a usage error).
type cmdContext struct {
	ctx        context.Context
	env        Env
	configPath string
	runtimeDir string
	debug      bool
	args       []string
	ran        bool
}

func (c *cmdContext) client() *apiclient.Client {
	return apiclient.NewClient(apiclient.SocketPath(apiclient.RuntimeDir(c.runtimeDir)))
}

func (c *cmdContext) printf(format string, args ...any) { fmt.Fprintf(c.env.Stdout, format, args...) }
func (c *cmdContext) errorf(format string, args ...any) { fmt.Fprintf(c.env.Stderr, format, args...) }

// run adapts a command's code to cobra: it records the arguments, fills in
// the config's default path and marks the command as started.
func (c *cmdContext) run(f func(c *cmdContext) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		c.ran, c.args = true, args
		if err := c.defaults(); err != nil {
			return err
		}
		return f(c)
	}
}

// defaults fills in what the flags left open.
func (c *cmdContext) defaults() error {
	if c.configPath == "" {
		p, err := config.DefaultPath()
		if err != nil {
			return err
		}
		c.configPath = p
	}
	return nil
}

// Main runs the command line and returns the exit status: 0, 1 for a
// failure, 2 for a usage error, or what exec's child or doctor chose.
func Main(args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cmdContext{ctx: ctx, env: env}
	root := newRoot(c)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "tokentray: %v\n", err)
		return 2
	case !c.ran: // cobra refused the command line: show how it goes
		cmd.SetOut(env.Stderr)
		cmd.Usage()
		fmt.Fprintf(env.Stderr, "tokentray: %v: %v\n", errUsage, err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "tokentray: %v\n", err)
		return 1
	}
}

// NewCommand returns the command tree, for the man pages and the
// completion scripts (internal/gendocs); running it is Main's job.
func NewCommand(env Env) *cobra.Command {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	return newRoot(&cmdContext{ctx: context.Background(), env: env})
}

func init() {
	// On Windows cobra refuses to run a program Explorer started (a
	// double-click) and shows this text instead; the agent is started
	// that way by the Run key at login, so it must not.
	cobra.MousetrapHelpText = ""
	// cobra keeps template functions in a global map: add them once here,
	// not per command tree (tests build trees in parallel).
	cobra.AddTemplateFunc("argsOf", argsOf)
	cobra.AddTemplateFunc("listLine", listLine)
	cobra.AddTemplateFunc("sentence", func(s string) string { return strings.ToUpper(s[:1]) + s[1:] + "." })
}

func newRoot(c *cmdContext) *cobra.Command {
	root := &cobra.Command{
		Use:   "tokentray",
		Short: "keep logged in to OAuth 2.0 / OpenID Connect providers and serve fresh access tokens to local tools",
		Long: `tokentray keeps you logged in to OAuth 2.0 / OpenID Connect providers and
serves fresh access tokens to local tools. Without a command it runs the
agent with its tray icon; every command but agent talks to that agent.`,
		Example:           "  tokentray\n  tokentray login work\n  tokentray token work",
		RunE:              c.run(runWithTray),
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true, // the man pages stay the same from build to build
	}
	root.SetIn(c.env.Stdin)
	root.SetOut(c.env.Stdout)
	root.SetErr(c.env.Stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&c.configPath, "config", c.env.Getenv("TOKENTRAY_CONFIG"), "config `file` (default $TOKENTRAY_CONFIG, else tokentray/config.toml in the user config dir)")
	pf.StringVar(&c.runtimeDir, "runtime-dir", c.env.Getenv(rundir.Env), "the agent's private `dir` for its socket and lock (default $XDG_RUNTIME_DIR/tokentray)")
	pf.BoolVar(&c.debug, "debug", false, "log at debug level (tokens are never logged)")
	root.MarkPersistentFlagFilename("config", "toml")
	root.MarkPersistentFlagDirname("runtime-dir")
	root.AddCommand(commands(c)...)
	root.AddCommand(c.uiCommand())
	root.SetHelpCommand(helpCommand(root))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, cmd := range root.Commands() {
		if cmd.Name() == "completion" {
			tuneCompletion(cmd)
		}
	}
	// Every command has -h and --help from the start, so that `help X`
	// lists it as `X --help` does.
	for _, cmd := range append(available(root), root) {
		cmd.InitDefaultHelpFlag()
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.SetHelpTemplate(helpTemplate)
	root.SetUsageTemplate(helpTemplate)
	return root
}

// helpTemplate is the one text of `tokentray help X`, `tokentray X
// --help` and, on standard error, a usage error of X: what X does, an
// example, and every flag it takes.
const helpTemplate = `Usage: {{.CommandPath}}{{if .HasAvailableFlags}} [FLAGS]{{end}}{{with argsOf .}} {{.}}{{end}}{{if not .HasParent}}
       {{.CommandPath}} COMMAND [FLAGS] [ARGS]{{end}}

{{with .Long}}{{.}}{{else}}{{sentence .Short}}{{end}}
{{- if .HasExample}}

Example:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if or .IsAvailableCommand (eq .Name "help")}}
{{listLine .}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

{{if .HasParent}}Flags:{{else}}Flags for every command:{{end}}
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Flags for every command:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run "{{.CommandPath}} COMMAND --help" for a command's flags and an example.{{end}}
`

// argsOf is what Use says after the command's name: its arguments.
func argsOf(cmd *cobra.Command) string {
	_, args, _ := strings.Cut(cmd.Use, " ")
	return args
}

// listLine is a command's line in its parent's list: its use, and its
// summary beside it or, after a long use, below it.
func listLine(cmd *cobra.Command) string {
	if len(cmd.Use) > 22 {
		return fmt.Sprintf("  %s\n  %-22s %s", cmd.Use, "", cmd.Short)
	}
	return fmt.Sprintf("  %-22s %s", cmd.Use, cmd.Short)
}

// helpCommand is `tokentray help [COMMAND]`: the command's --help text, or
// a usage error for a command there is not.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:     "help [COMMAND]",
		Short:   "print the help of tokentray or of a command (the same as COMMAND --help)",
		Example: "  tokentray help login",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, _, err := root.Find(args)
			if err != nil || (cmd == root && len(args) > 0) {
				return fmt.Errorf("%w: unknown command %q", errUsage, strings.Join(args, " "))
			}
			return cmd.Help()
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, cmd := range root.Commands() {
					if cmd.IsAvailableCommand() && strings.HasPrefix(cmd.Name(), toComplete) {
						names = append(names, cobra.CompletionWithDesc(cmd.Name(), cmd.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// tuneCompletion gives cobra's completion command tokentray's words and
// an example each.
func tuneCompletion(cmd *cobra.Command) {
	cmd.Short = "print a shell completion script (bash, zsh, fish, powershell): commands, flags, profile names"
	cmd.Example = "  source <(tokentray completion bash)"
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return fmt.Errorf("%w: name a shell: bash, zsh, fish or powershell", errUsage)
		}
		return fmt.Errorf("%w: no completion for %q: bash, zsh, fish or powershell", errUsage, args[0])
	}
	examples := map[string]string{
		"bash":       "  source <(tokentray completion bash)",
		"zsh":        "  source <(tokentray completion zsh)",
		"fish":       "  tokentray completion fish | source",
		"powershell": "  tokentray completion powershell | Out-String | Invoke-Expression",
	}
	for _, sub := range cmd.Commands() {
		sub.Example = examples[sub.Name()]
	}
}

// available are the commands of the tree that people see, subcommands
// and help included.
func available(cmd *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			out = append(out, sub)
			out = append(out, available(sub)...)
		}
	}
	return out
}

// logger logs to standard error at the config's log_level, or at debug
// with --debug; levelVar is what the agent sets from the config (nil with
// --debug, which wins).
func (c *cmdContext) logger() (log *slog.Logger, levelVar *slog.LevelVar) {
	var level slog.Leveler = slog.LevelDebug
	if !c.debug {
		levelVar = new(slog.LevelVar)
		level = levelVar
	}
	return slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: level})), levelVar
}
