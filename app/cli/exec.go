package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentray/tokentray/app/config"
)

// forwarded are the signals exec passes on to its child: a terminal's
// Ctrl-C, a service manager's stop, a closed terminal.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// apiEnv names the variable with the address of the token API, so that a
// long-running child can read a fresh token when the first one expires.
const apiEnv = "TOKENTRAY_API"

func execCommand(c *cmdContext) *cobra.Command {
	var envName string
	var minValid time.Duration
	cmd := &cobra.Command{Use: "exec PROFILE [--] COMMAND [ARGS...]",
		Short:             "run a command with the token in its environment ($TOKEN, or --env NAME) and the token API's address in $TOKENTRAY_API",
		Example:           `  tokentray exec work -- sh -c 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/'`,
		ValidArgsFunction: c.completeExec,
	}
	cmd.Flags().StringVar(&envName, "env", "", "put the token in this environment `variable` (default: the profile's token_env, else TOKEN)")
	cmd.Flags().DurationVar(&minValid, "min-valid", 0, "refresh first if the token would expire within this `duration` (e.g. 5m for a long job)")
	// Flags end at the profile: what follows is the command's. The ones
	// between the profile and the command are read in runExec.
	cmd.Flags().SetInterspersed(false)
	cmd.RunE = c.run(func(c *cmdContext) error {
		profile, argv, err := parseExec(cmd, c.args)
		if err != nil {
			return err
		}
		return runExec(c, profile, argv, envName, minValid)
	})
	return cmd
}

// parseExec reads what cobra left of `[FLAGS] [PROFILE] -- CMD ARGS…` or
// `[FLAGS] PROFILE [FLAGS] CMD ARGS…`: flags before the command are
// tokentray's, everything from the command on is the command's.
func parseExec(cmd *cobra.Command, args []string) (profile string, argv []string, err error) {
	if cmd.ArgsLenAtDash() == 0 { // exec [FLAGS] -- CMD: the only profile
		return "", args, nil
	}
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%w: give a profile and the command to run, e.g. tokentray exec work -- curl …", errUsage)
	}
	profile = args[0]
	if err := cmd.Flags().Parse(args[1:]); err != nil {
		return "", nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return profile, cmd.Flags().Args(), nil
}

func runExec(c *cmdContext, profile string, argv []string, envName string, minValid time.Duration) error {
	if len(argv) == 0 {
		return fmt.Errorf("%w: give the command to run after --", errUsage)
	}
	if envName != "" && !config.ValidEnvName(envName) {
		return fmt.Errorf("%w: --env %q is not an environment variable name", errUsage, envName)
	}
	var err error
	if profile == "" {
		c.args = nil // all of them are the command's
		if profile, err = c.profileArg(); err != nil {
			return err
		}
	}
	name := envName
	if name == "" {
		name = config.DefaultTokenEnv
		if p := c.localProfile(profile); p != nil {
			name = p.TokenEnvName()
		}
	}
	cl := c.client()
	tok, err := cl.Token(c.ctx, profile, minValid)
	if err != nil {
		return err
	}
	vars := map[string]string{name: tok.AccessToken}
	if st, err := cl.Status(c.ctx); err == nil && st.Agent.Listen != "" {
		vars[apiEnv] = "http://" + st.Agent.Listen + "/v1/token/" + url.PathEscape(profile)
	}
	return c.runChild(argv, vars)
}

// runChild runs argv with vars added to this process's environment,
// passes on SIGINT, SIGTERM and SIGHUP, and ends with the child's status
// (128 + the signal when a signal killed it; 127 when there is no such
// command, 126 when it cannot be run, as shells do).
func (c *cmdContext) runChild(argv []string, vars map[string]string) error {
	env := make([]string, 0, len(os.Environ())+len(vars))
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, replaced := vars[k]; !replaced {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.env.Stdin, c.env.Stdout, c.env.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		c.errorf("tokentray: exec: %v\n", err)
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return exitStatus(127)
		}
		return exitStatus(126)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	return childStatus(cmd, err)
}

// childStatus turns how the child ended into tokentray's own status.
func childStatus(cmd *exec.Cmd, err error) error {
	st := cmd.ProcessState
	if st == nil {
		return fmt.Errorf("exec: %w", err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus(128 + int(ws.Signal()))
	}
	if code := st.ExitCode(); code != 0 {
		return exitStatus(code)
	}
	if err != nil { // copying a non-file stdin or stdout failed
		return fmt.Errorf("exec: %w", err)
	}
	return nil
}
