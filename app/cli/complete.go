package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokentray/tokentray/app/config"
)

// completionAgentTimeout bounds how long completing a profile name waits
// for the agent before it reads the config file instead: a TAB must not
// hang on a stuck agent.
const completionAgentTimeout = 300 * time.Millisecond

// profileNames are the profiles of the running agent, or of the config
// file when no agent answers in time. Completing never starts an agent.
func (c *cmdContext) profileNames() []string {
	ctx, cancel := context.WithTimeout(c.ctx, completionAgentTimeout)
	defer cancel()
	var names []string
	if st, err := c.client().Status(ctx); err == nil {
		for _, p := range st.Profiles {
			names = append(names, p.Profile)
		}
		return names
	}
	if c.defaults() != nil {
		return nil
	}
	if cfg, err := config.Load(c.configPath); err == nil {
		for _, p := range cfg.Profiles {
			names = append(names, p.Name)
		}
	}
	return names
}

// completeProfiles completes a command's one PROFILE argument.
func (c *cmdContext) completeProfiles(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return withPrefix(c.profileNames(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeExec completes `exec PROFILE [--] COMMAND ARGS…`: a profile,
// then a command on PATH, then files.
func (c *cmdContext) completeExec(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	// (ArgsLenAtDash cannot tell `exec -- ` from `exec `: cobra parses
	// twice while completing. Both offer the profiles.)
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--" })
	switch len(args) {
	case 0:
		return c.completeProfiles(cmd, nil, toComplete)
	case 1:
		return commandsOnPath(toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveDefault
}

// commandsOnPath are the executables on PATH whose names start with prefix.
func commandsOnPath(prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), prefix) || slices.Contains(out, e.Name()) {
				continue
			}
			if info, err := e.Info(); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
				out = append(out, e.Name())
			}
		}
	}
	return out
}

func withPrefix(names []string, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}
