package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentray/tokentray/app/config"
)

// maxCredentialRequest bounds what git-credential reads from git.
const maxCredentialRequest = 64 << 10

// runGitCredential speaks git's credential helper protocol
// (gitcredentials(7), git-credential(1)): for `get` it answers HTTPS
// requests for a host in some profile's git_hosts with the profile's git
// user name and its access token as the password. Hosts of no profile get
// no answer, so git asks its next helper. `store` and `erase` do nothing:
// the agent owns the token, and git cannot replace or forget it.
func gitCredentialCommand(c *cmdContext) *cobra.Command {
	var minValid time.Duration
	cmd := &cobra.Command{Use: "git-credential get|store|erase",
		Short:     "git's credential helper: answers HTTPS git hosts in a profile's git_hosts with its token",
		Example:   "  git config --global credential.https://git.example.com.helper '!tokentray git-credential'",
		Args:      maxArgs(1),
		ValidArgs: []cobra.Completion{"get", "store", "erase"},
		RunE:      c.run(func(c *cmdContext) error { return runGitCredential(c, minValid) }),
	}
	cmd.Flags().DurationVar(&minValid, "min-valid", 0, "refresh first if the token would expire within this `duration` (e.g. 5m for a long push)")
	return cmd
}

func runGitCredential(c *cmdContext, minValid time.Duration) error {
	if len(c.args) == 0 {
		return fmt.Errorf("%w: git calls this with get, store or erase", errUsage)
	}
	req, err := readCredentialRequest(c.env.Stdin)
	if err != nil {
		return err
	}
	if c.args[0] != "get" {
		return nil // store, erase, and operations of future gits: ignored, as the protocol asks
	}
	if req["protocol"] != "https" || req["host"] == "" {
		return nil
	}
	cfg, err := config.Load(c.configPath)
	if err != nil {
		return err
	}
	p, ok := cfg.GitProfile(req["host"])
	if !ok {
		return nil
	}
	if u := req["username"]; u != "" && u != p.GitUser() {
		return nil // the remote names another user: not ours to answer
	}
	tok, err := c.client().Token(c.ctx, p.Name, minValid)
	if err != nil {
		return fmt.Errorf("no token for %s from profile %q: %w", req["host"], p.Name, err)
	}
	if strings.ContainsAny(tok.AccessToken, "\n\x00") {
		return fmt.Errorf("the token of profile %q cannot be passed to git", p.Name)
	}
	c.printf("username=%s\npassword=%s\n", p.GitUser(), tok.AccessToken)
	if !tok.ExpiresAt.IsZero() {
		// git 2.41+ drops a cached credential at its expiry; older ones ignore it.
		c.printf("password_expiry_utc=%d\n", tok.ExpiresAt.Unix())
	}
	return nil
}

// readCredentialRequest reads git's key=value lines up to a blank line or
// the end (at most 64 KiB). Of a repeated key the first value counts.
func readCredentialRequest(r io.Reader) (map[string]string, error) {
	req := map[string]string{}
	if r == nil {
		return req, nil
	}
	sc := bufio.NewScanner(io.LimitReader(r, maxCredentialRequest))
	sc.Buffer(make([]byte, 0, 4096), maxCredentialRequest)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("git-credential: a line without '=' from git")
		}
		if _, seen := req[k]; !seen {
			req[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("git-credential: reading git's request: %w", err)
	}
	return req, nil
}
