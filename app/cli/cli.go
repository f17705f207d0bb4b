// Package cli is tokentray's command line. Every command but `agent` talks
// to the running agent; none of them refreshes a token or opens the keyring
// for a token on its own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/launch"
)

// Env is what the command line needs from the process; main wires it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Version        string
	// RunTray runs the tray inside the agent's process until ctx ends. It
	// returns ErrNoTray when the desktop has no tray host; nil means this
	// build has no tray.
	RunTray func(ctx context.Context, a *agent.Agent) error
}

// ErrNoTray is returned by Env.RunTray when no tray host is there.
var ErrNoTray = errors.New("no system tray host")

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

// exitStatus ends tokentray with a status and no message of its own (exec
// passes on its child's status; doctor says what failed before).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// A command's run must define its flags and parse them before any side
// effect: --help, `tokentray help COMMAND` and the shell completion run it
// with -h to learn its flags.
type command struct {
	name, args, summary, example string
	run                          func(c *cmdContext) error
}

func commands() []command {
	return []command{
		{"agent", "", "run the agent in the foreground, without a tray (for SSH sessions and servers)", "tokentray agent", runAgent},
		{"login", "[PROFILE]", "log in: opens the browser at the provider (or --no-browser, --device, --refresh-token-stdin, --username)", "tokentray login work", runLogin},
		{"token", "[PROFILE]", "print the current access token", "curl -H \"Authorization: Bearer $(tokentray token work)\" https://api.example.com/", runToken},
		{"status", "", "list the profiles and their state", "tokentray status", runStatus},
		{"refresh", "[PROFILE]", "refresh a profile now", "tokentray refresh work", runRefresh},
		{"logout", "[PROFILE]", "revoke the refresh token at the provider and delete it from the keyring", "tokentray logout work", runLogout},
		{"secret", "set|set-key|delete PROFILE", "keep a profile's client secret (set, from standard input) or private key (set-key FILE) in the keyring", "tokentray secret set work < secret.txt", runSecret},
		{"version", "", "print the version", "tokentray version", runVersion},
		{"exec", "PROFILE [--] COMMAND [ARGS...]", "run a command with the token in its environment ($TOKEN, or --env NAME) and the token API's address in $TOKENTRAY_API", `tokentray exec work -- sh -c 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/'`, runExec},
		{"git-credential", "get|store|erase", "git's credential helper: answers HTTPS git hosts in a profile's git_hosts with its token", "git config --global credential.https://git.example.com.helper '!tokentray git-credential'", runGitCredential},
		{"doctor", "", "check the keyring, the tray host, the agent, its port, each profile's provider and the clock; exit status 0 when nothing is wrong", "tokentray doctor", runDoctor},
		{"completion", "bash|zsh|fish", "print a shell completion script (commands, flags, profile names)", "source <(tokentray completion bash)", runCompletion},
	}
}

// cmdContext is one command's invocation.
type cmdContext struct {
	ctx        context.Context
	env        Env
	fs         *flag.FlagSet
	configPath string
	runtimeDir string
	debug      bool
	pending    []string // arguments after the command name, parsed by the command
	args       []string // positional arguments, after parse
	usage      func(w io.Writer)
}

func (c *cmdContext) client() *apiclient.Client {
	return apiclient.NewClient(apiclient.SocketPath(apiclient.RuntimeDir(c.runtimeDir)))
}

func (c *cmdContext) printf(format string, args ...any) { fmt.Fprintf(c.env.Stdout, format, args...) }
func (c *cmdContext) errorf(format string, args ...any) { fmt.Fprintf(c.env.Stderr, format, args...) }

// Main runs the command line and returns the exit status.
func Main(args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, env)
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "tokentray: %v\n", err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "tokentray: %v\n", err)
		return 1
	}
}

func run(ctx context.Context, args []string, env Env) error {
	name := ""
	args = globalFlagsFirst(args)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		name, args = "help", args[1:]
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch name {
	case "", "tray":
		c := newContext(ctx, env, "tokentray")
		if err := c.parse(args, 0); err != nil {
			return err
		}
		return runWithTray(c)
	case "help":
		if len(args) > 0 {
			if cmd, ok := findCommand(args[0]); ok {
				c := newCommandContext(ctx, env, cmd)
				c.usage(env.Stdout)
				return nil
			}
			usage(env.Stderr)
			return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
		}
		usage(env.Stdout)
		return nil
	case "ui": // the windows are a program of their own: tokentray-ui
		// Hand SIGINT and SIGTERM back to their default first: one
		// caught here would be lost in the exec, and the window would
		// open after being told to quit.
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		if err := ctx.Err(); err != nil {
			return err
		}
		return launch.Exec(launch.UI, launch.UI, args)
	}
	if cmd, ok := findCommand(name); ok {
		return cmd.run(withArgs(newCommandContext(ctx, env, cmd), args))
	}
	usage(env.Stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

func findCommand(name string) (command, bool) {
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd, true
		}
	}
	return command{}, false
}

// newCommandContext returns the context of one command, whose usage names
// the command, its summary, an example and its flags.
func newCommandContext(ctx context.Context, env Env, cmd command) *cmdContext {
	c := newContext(ctx, env, cmd.name)
	c.usage = func(w io.Writer) {
		fmt.Fprintf(w, "Usage: tokentray %s [FLAGS] %s\n\n%s.\n\nExample:\n  %s\n\nFlags:\n", cmd.name, cmd.args, capital(cmd.summary), cmd.example)
		printFlags(w, c.fs)
	}
	return c
}

// printFlags lists a flag set the way people type the flags: --name.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n        %s", line, text)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
			fmt.Fprintf(w, " (default %q)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// globalFlagsFirst moves the command name before the flags every command
// has, so that `tokentray --config FILE token work` works too (tools such
// as git and kubectl are often configured that way).
func globalFlagsFirst(args []string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			if i == 0 {
				return args
			}
			out := append([]string{a}, args[:i]...)
			return append(out, args[i+1:]...)
		}
		switch strings.TrimLeft(a, "-") {
		case "config", "runtime-dir":
			i++ // the value
		case "debug":
		default:
			if n, _, ok := strings.Cut(strings.TrimLeft(a, "-"), "="); ok && (n == "config" || n == "runtime-dir" || n == "debug") {
				continue
			}
			return args // --help, or not a global flag: left as it is
		}
	}
	return args
}

// withArgs stashes args for the command's own flag parsing.
func withArgs(c *cmdContext, args []string) *cmdContext {
	c.pending = args
	return c
}

func newContext(ctx context.Context, env Env, name string) *cmdContext {
	c := &cmdContext{ctx: ctx, env: env, fs: flag.NewFlagSet("tokentray "+name, flag.ContinueOnError)}
	// parse prints the usage itself: to standard output when asked for
	// with --help, to standard error after a mistake.
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {}
	c.usage = func(w io.Writer) { usage(w) }
	def := env.Getenv("TOKENTRAY_CONFIG")
	c.fs.StringVar(&c.configPath, "config", def, "config `file` (default $TOKENTRAY_CONFIG, else tokentray/config.toml in the user config dir)")
	c.fs.StringVar(&c.runtimeDir, "runtime-dir", env.Getenv("TOKENTRAY_RUNTIME_DIR"), "the agent's private `dir` for its socket and lock (default $XDG_RUNTIME_DIR/tokentray)")
	c.fs.BoolVar(&c.debug, "debug", false, "log at debug level (tokens are never logged)")
	return c
}

// parse parses the pending arguments, flags before and after the positional
// ones (`tokentray login work --no-browser`; "--" ends the flags), and
// checks the number of positional ones.
func (c *cmdContext) parse(args []string, maxArgs int) error {
	pos, err := c.parseFlags(args, -1)
	if err != nil {
		return err
	}
	c.args = pos
	if len(pos) > maxArgs {
		c.usage(c.env.Stderr)
		return fmt.Errorf("%w: too many arguments: %s", errUsage, strings.Join(pos, " "))
	}
	return c.defaults()
}

// parseFlags parses flags anywhere in args and returns the positional
// arguments. After stopAfter positional arguments (or a "--") the rest is
// returned as it is, flags or not; -1 means never.
func (c *cmdContext) parseFlags(args []string, stopAfter int) ([]string, error) {
	var pos []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.usage(c.env.Stdout)
				return nil, err
			}
			c.usage(c.env.Stderr)
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if len(pos) == stopAfter {
			return append(pos, args...), nil
		}
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

func usage(w io.Writer) {
	fmt.Fprint(w, `tokentray keeps you logged in to OAuth 2.0 / OpenID Connect providers and
serves fresh access tokens to local tools.

Usage:
  tokentray                 run the agent with its tray icon
  tokentray COMMAND [FLAGS] [ARGS]

Commands:
`)
	for _, c := range commands() {
		if label := c.name + " " + c.args; len(label) > 22 {
			fmt.Fprintf(w, "  %s\n  %-22s %s\n", label, "", c.summary)
		} else {
			fmt.Fprintf(w, "  %-22s %s\n", label, c.summary)
		}
	}
	fmt.Fprint(w, `
Flags for every command:
  --config FILE   the config (default $TOKENTRAY_CONFIG, else tokentray/config.toml
                  under the user config directory)

Run "tokentray COMMAND --help" for a command's flags and an example.
`)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (c *cmdContext) logger() *slog.Logger {
	level := slog.LevelInfo
	if c.debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(c.env.Stderr, &slog.HandlerOptions{Level: level}))
}
