package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/tokentray/tokentray/app/config"
)

// forwarded are the signals exec passes on to its child: a terminal's
// Ctrl-C, a service manager's stop, a closed terminal.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// apiEnv names the variable with the address of the token API, so that a
// long-running child can read a fresh token when the first one expires.
const apiEnv = "TOKENTRAY_API"

func runExec(c *cmdContext) error {
	envName := c.fs.String("env", "", "put the token in this environment `variable` (default: the profile's token_env, else TOKEN)")
	minValid := c.fs.Duration("min-valid", 0, "refresh first if the token would expire within this `duration` (e.g. 5m for a long job)")
	profile, argv, err := c.parseExec()
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		c.usage(c.env.Stderr)
		return fmt.Errorf("%w: give the command to run after --", errUsage)
	}
	if *envName != "" && !config.ValidEnvName(*envName) {
		return fmt.Errorf("%w: --env %q is not an environment variable name", errUsage, *envName)
	}
	if profile == "" {
		if profile, err = c.profileArg(); err != nil {
			return err
		}
	}
	name := *envName
	if name == "" {
		name = config.DefaultTokenEnv
		if p := c.localProfile(profile); p != nil {
			name = p.TokenEnvName()
		}
	}
	cl := c.client()
	tok, err := cl.Token(c.ctx, profile, *minValid)
	if err != nil {
		return err
	}
	vars := map[string]string{name: tok.AccessToken}
	if st, err := cl.Status(c.ctx); err == nil && st.Agent.Listen != "" {
		vars[apiEnv] = "http://" + st.Agent.Listen + "/v1/token/" + url.PathEscape(profile)
	}
	return c.runChild(argv, vars)
}

// parseExec reads `[FLAGS] [PROFILE] -- CMD ARGS…` or `[FLAGS] PROFILE
// CMD ARGS…`: flags before the command are tokentray's, everything from
// the command on is the command's.
func (c *cmdContext) parseExec() (profile string, argv []string, err error) {
	if i := slices.Index(c.pending, "--"); i >= 0 {
		if err := c.parse(c.pending[:i], 1); err != nil {
			return "", nil, err
		}
		if len(c.args) > 0 {
			profile = c.args[0]
		}
		return profile, c.pending[i+1:], nil
	}
	pos, err := c.parseFlags(c.pending, 2)
	if err != nil {
		return "", nil, err
	}
	if err := c.defaults(); err != nil {
		return "", nil, err
	}
	if len(pos) < 2 {
		c.usage(c.env.Stderr)
		return "", nil, fmt.Errorf("%w: give a profile and the command to run, e.g. tokentray exec work -- curl …", errUsage)
	}
	c.args = pos[:1]
	return pos[0], pos[1:], nil
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
