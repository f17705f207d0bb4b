package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tokentray/tokentray/app/launch"
)

// uiCommand is `tokentray ui WINDOW [ARGS]`. The windows are a program of
// their own, tokentray-ui, which this hands the command to.
func (c *cmdContext) uiCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ui WINDOW [ARGS]",
		Short: "open a window: settings, details PROFILE, login PROFILE, status, about",
		Long: "Open one of tokentray's windows (the tray opens the same ones). They run in a\n" +
			"program of their own, tokentray-ui, which ends when its last window closes.\n\nWINDOW is one of:\n" + strings.TrimSuffix(launch.WindowUsage(), "\n"),
		Example:           "  tokentray ui settings\n  tokentray ui details work",
		Args:              checkWindow,
		ValidArgsFunction: c.completeWindow,
		RunE: c.run(func(c *cmdContext) error {
			// Hand SIGINT and SIGTERM back to their default first: one
			// caught here would be lost in the exec, and the window would
			// open after being told to quit.
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			if err := c.ctx.Err(); err != nil {
				return err
			}
			return launch.Exec(launch.UI, launch.UI, append(c.globalArgs(), c.args...))
		}),
	}
	// Flags end at the window's name: `status --quit-button` is the window's.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// checkWindow accepts a window's name and its arguments.
func checkWindow(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: name a window: settings, details PROFILE, login PROFILE, status, about", errUsage)
	}
	for _, w := range launch.Windows {
		if w.Name != args[0] {
			continue
		}
		n := len(args) - 1
		switch {
		case w.Args == "PROFILE" && n != 1:
			return fmt.Errorf("%w: tokentray ui %s PROFILE", errUsage, w.Name)
		case w.Args == "" && n > 0, strings.HasPrefix(w.Args, "[") && (n > 1 || n == 1 && "["+args[1]+"]" != w.Args):
			return fmt.Errorf("%w: too many arguments: %s", errUsage, strings.Join(args[1:], " "))
		}
		return nil
	}
	return fmt.Errorf("%w: no window %q: settings, details PROFILE, login PROFILE, status, about", errUsage, args[0])
}

func (c *cmdContext) completeWindow(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		var out []cobra.Completion
		for _, w := range launch.Windows {
			if strings.HasPrefix(w.Name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(w.Name, w.Summary))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	if len(args) == 1 && (args[0] == "details" || args[0] == "login") {
		return c.completeProfiles(cmd, nil, toComplete)
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// globalArgs are the global flags given on this command line, for a
// program the command is handed to.
func (c *cmdContext) globalArgs() []string {
	var out []string
	if c.configPath != "" {
		out = append(out, "--config", c.configPath)
	}
	if c.runtimeDir != "" {
		out = append(out, "--runtime-dir", c.runtimeDir)
	}
	if c.debug {
		out = append(out, "--debug")
	}
	return out
}
