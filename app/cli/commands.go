package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/config"
)

// commands are tokentray's commands but help, completion and ui (cobra
// lists them all sorted by name).
func commands(c *cmdContext) []*cobra.Command {
	return []*cobra.Command{
		{Use: "agent", Short: "run the agent in the foreground, without a tray (for SSH sessions and servers)",
			Example: "  tokentray agent", Args: maxArgs(0), RunE: c.run(runAgent)},
		loginCommand(c),
		tokenCommand(c),
		statusCommand(c),
		{Use: "refresh [PROFILE]", Short: "refresh a profile now",
			Example: "  tokentray refresh work", Args: maxArgs(1), RunE: c.run(withProfile(runRefresh)), ValidArgsFunction: c.completeProfiles},
		{Use: "logout [PROFILE]", Short: "revoke the refresh token at the provider and delete it from the keyring",
			Example: "  tokentray logout work", Args: maxArgs(1), RunE: c.run(withProfile(runLogout)), ValidArgsFunction: c.completeProfiles},
		secretCommand(c),
		{Use: "version", Short: "print the version",
			Example: "  tokentray version", Args: maxArgs(0), RunE: c.run(runVersion)},
		execCommand(c),
		gitCredentialCommand(c),
		{Use: "doctor", Short: "check the keyring, the tray host, the agent, its port, each profile's provider and the clock; exit status 0 when nothing is wrong",
			Example: "  tokentray doctor", Args: maxArgs(0), RunE: c.run(runDoctor)},
	}
}

// maxArgs allows at most n positional arguments.
func maxArgs(n int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > n {
			return fmt.Errorf("too many arguments: %s", strings.Join(args[n:], " "))
		}
		return nil
	}
}

func (c *cmdContext) agentOptions() agent.Options {
	log, level := c.logger()
	return agent.Options{ConfigPath: c.configPath, RuntimeDir: c.runtimeDir, Log: log, LogLevel: level, Version: c.env.Version}
}

func runAgent(c *cmdContext) error {
	return explainConfig(agent.Run(c.ctx, c.agentOptions()), c.configPath)
}

func runWithTray(c *cmdContext) error {
	a, err := agent.Start(c.ctx, c.agentOptions())
	if err != nil {
		return explainConfig(err, c.configPath)
	}
	defer a.Close()
	if c.env.RunTray == nil {
		c.errorf("tokentray: this build has no tray; serving on %s and %s\n", a.Socket(), a.TCPAddr())
		<-c.ctx.Done()
		return nil
	}
	err = c.env.RunTray(c.ctx, a)
	if errors.Is(err, agent.ErrNoTray) {
		c.errorf("tokentray: %v; serving on %s and %s without a tray\n", err, a.Socket(), a.TCPAddr())
		<-c.ctx.Done()
		return nil
	}
	return err
}

// explainConfig adds the first step for a newcomer without a config.
func explainConfig(err error, path string) error {
	if errors.Is(err, config.ErrNotExist) {
		return fmt.Errorf("%w\nWrite one with at least one [[profile]] (see the README), or try the demo: make run", err)
	}
	return err
}

// profileArg returns the profile named on the command line, or the only
// profile there is.
func (c *cmdContext) profileArg() (string, error) {
	if len(c.args) > 0 {
		return c.args[0], nil
	}
	st, err := c.client().Status(c.ctx)
	if err != nil {
		return "", err
	}
	switch len(st.Profiles) {
	case 0:
		return "", errors.New("the config has no profiles")
	case 1:
		return st.Profiles[0].Profile, nil
	}
	names := make([]string, len(st.Profiles))
	for i, p := range st.Profiles {
		names[i] = p.Profile
	}
	return "", fmt.Errorf("%w: name a profile: %s", errUsage, strings.Join(names, ", "))
}

// loginFlags are login's own flags.
type loginFlags struct {
	noBrowser, device, fromStdin, cancel bool
	username                             string
}

func loginCommand(c *cmdContext) *cobra.Command {
	var o loginFlags
	cmd := &cobra.Command{Use: "login [PROFILE]", Short: "log in: opens the browser at the provider (or --no-browser, --device, --refresh-token-stdin, --username)",
		Example: "  tokentray login work\n  tokentray login work --refresh-token-stdin < refresh-token.txt", Args: maxArgs(1),
		RunE: c.run(func(c *cmdContext) error { return runLogin(c, o) }), ValidArgsFunction: c.completeProfiles}
	f := cmd.Flags()
	f.BoolVar(&o.noBrowser, "no-browser", false, "print the login URL instead of opening a browser; for a browser on another machine, paste back the address it ends on")
	f.BoolVar(&o.device, "device", false, "log in with a code shown here and confirmed on any other device (RFC 8628; profiles with login = \"device\" do this by default)")
	f.BoolVar(&o.fromStdin, "refresh-token-stdin", false, "import a refresh token obtained elsewhere, read from standard input")
	f.StringVar(&o.username, "username", "", "log in with this user `name` and a password (profiles with login = \"password\"); the password is asked for and never stored")
	f.BoolVar(&o.cancel, "cancel", false, "cancel the login under way")
	return cmd
}

func runLogin(c *cmdContext, o loginFlags) error {
	profile, err := c.profileArg()
	if err != nil {
		return err
	}
	cl := c.client()
	if o.cancel {
		return cl.CancelLogin(c.ctx, profile)
	}
	if o.fromStdin {
		rt, err := readSecret(c.env.Stdin)
		if err != nil {
			return err
		}
		st, err := cl.Import(c.ctx, profile, rt)
		if err != nil {
			return err
		}
		c.printf("Imported the refresh token for %s: %s\n", profile, st.Summary(time.Now()))
		return nil
	}
	p := c.localProfile(profile)
	if o.username != "" || (p != nil && p.Login == "password") {
		return c.passwordLogin(cl, profile, o.username, p)
	}
	if p != nil && p.Login == "import" {
		return fmt.Errorf("%w: profile %s has no browser login (login = \"import\"): hand it a refresh token with `tokentray login %s --refresh-token-stdin`", errUsage, profile, profile)
	}
	switch {
	case o.device || (p != nil && p.Login == "device" && !o.noBrowser):
		err = c.deviceLogin(cl, profile)
	case o.noBrowser:
		err = c.noBrowserLogin(cl, profile)
	default:
		err = cl.Login(c.ctx, profile, false, func(u string) {
			c.errorf("Opening the browser to log in to %s…\nIf no browser opens, visit:\n  %s\n", profile, u)
		})
	}
	if c.ctx.Err() != nil {
		ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		cl.CancelLogin(ctx, profile)
		return errors.New("login cancelled")
	}
	if err != nil {
		return err
	}
	return c.printLoggedIn(cl, profile)
}

func (c *cmdContext) printLoggedIn(cl *apiclient.Client, profile string) error {
	st, err := cl.Status(c.ctx)
	if err != nil {
		return err
	}
	for _, p := range st.Profiles {
		if p.Profile == profile {
			c.printf("Logged in to %s: %s\n", profile, p.Summary(time.Now()))
		}
	}
	return nil
}

// localProfile reads the profile from the config file, with its preset
// applied, for the login method and user name; nil when the file cannot be
// read here.
func (c *cmdContext) localProfile(name string) *config.Profile {
	cfg, err := config.Load(c.configPath)
	if err != nil {
		return nil
	}
	p, ok := cfg.Profile(name)
	if !ok {
		return nil
	}
	e := p.Effective()
	return &e
}

func (c *cmdContext) passwordLogin(cl *apiclient.Client, profile, user string, p *config.Profile) error {
	if user == "" && p != nil {
		user = p.Username
	}
	if user == "" {
		return fmt.Errorf("%w: give --username (or username in the profile)", errUsage)
	}
	pw, err := c.askPassword(fmt.Sprintf("Password for %s at %s: ", user, profile))
	if err != nil {
		return err
	}
	st, err := cl.Password(c.ctx, profile, user, pw)
	if err != nil {
		return err
	}
	c.printf("Logged in to %s: %s\n", profile, st.Summary(time.Now()))
	return nil
}

// askPassword reads a password without echo from the terminal, or one line
// from standard input when it is not a terminal (scripts).
func (c *cmdContext) askPassword(prompt string) (string, error) {
	if f, ok := c.env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.env.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.env.Stderr)
		return string(b), err
	}
	return readSecret(c.env.Stdin)
}

// readSecret reads one secret from r: its first line, at most 64 KiB.
func readSecret(r io.Reader) (string, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	if !sc.Scan() {
		return "", errors.New("nothing on standard input")
	}
	s := strings.TrimSpace(sc.Text())
	if s == "" {
		return "", errors.New("the first line of standard input is empty")
	}
	return s, nil
}

// tokenFormats are the values of token's --format.
var tokenFormats = []string{"raw", "json", "header", "exec-credential"}

func tokenCommand(c *cmdContext) *cobra.Command {
	var format string
	var minValid time.Duration
	cmd := &cobra.Command{Use: "token [PROFILE]", Short: "print the current access token",
		Example: "  curl -H \"Authorization: Bearer $(tokentray token work)\" https://api.example.com/", Args: maxArgs(1),
		RunE:              c.run(func(c *cmdContext) error { return runToken(c, format, minValid) }),
		ValidArgsFunction: c.completeProfiles}
	cmd.Flags().StringVar(&format, "format", "raw", "output `format`: raw (the token), json (token, type, expiry, scope), header (Authorization: Bearer …) or exec-credential (a Kubernetes ExecCredential, for kubectl)")
	cmd.Flags().DurationVar(&minValid, "min-valid", 0, "refresh first if the token would expire within this `duration` (e.g. 60s)")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(tokenFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runToken(c *cmdContext, format string, minValid time.Duration) error {
	switch format {
	case "raw", "json", "header", "exec-credential":
	default:
		return fmt.Errorf("%w: --format must be raw, json, header or exec-credential", errUsage)
	}
	profile, err := c.profileArg()
	if err != nil {
		return err
	}
	t, err := c.client().Token(c.ctx, profile, minValid)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	case "header":
		c.printf("Authorization: %s %s\n", headerType(t.TokenType), t.AccessToken)
	case "exec-credential":
		return writeExecCredential(c.env.Stdout, t, c.env.Getenv("KUBERNETES_EXEC_INFO"))
	default:
		c.printf("%s\n", t.AccessToken)
	}
	return nil
}

// headerType writes the token type as RFC 6750 spells it in the header.
func headerType(tt string) string {
	if tt == "" || strings.EqualFold(tt, "bearer") {
		return "Bearer"
	}
	return tt
}

func statusCommand(c *cmdContext) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{Use: "status", Short: "list the profiles and their state",
		Example: "  tokentray status", Args: maxArgs(0),
		RunE: c.run(func(c *cmdContext) error { return runStatus(c, asJSON) })}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

func runStatus(c *cmdContext, asJSON bool) error {
	st, err := c.client().Status(c.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	c.printf("agent pid %d, socket %s", st.Agent.PID, st.Agent.Socket)
	if st.Agent.Listen != "" {
		c.printf(", token API http://%s/v1/token/PROFILE", st.Agent.Listen)
	}
	if st.Agent.ListenError != "" {
		c.printf("\ntoken API not served: %s", st.Agent.ListenError)
	}
	c.printf("\n\n")
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tSTATE")
	now := time.Now()
	for _, p := range st.Profiles {
		fmt.Fprintf(tw, "%s\t%s\n", p.Profile, p.Summary(now))
	}
	return tw.Flush()
}

// withProfile runs f with the profile named on the command line, or the
// only one there is.
func withProfile(f func(c *cmdContext, profile string) error) func(c *cmdContext) error {
	return func(c *cmdContext) error {
		profile, err := c.profileArg()
		if err != nil {
			return err
		}
		return f(c, profile)
	}
}

func runRefresh(c *cmdContext, profile string) error {
	st, err := c.client().Refresh(c.ctx, profile)
	if err == nil {
		c.printf("%s: %s\n", profile, st.Summary(time.Now()))
	}
	return err
}

func runLogout(c *cmdContext, profile string) error {
	res, err := c.client().Logout(c.ctx, profile)
	if err != nil {
		return err
	}
	switch {
	case res.Revoked:
		c.printf("Logged out of %s; the provider revoked the refresh token.\n", profile)
	case res.RevokeError != "":
		c.printf("Logged out of %s locally; revoking at the provider failed: %s\n", profile, res.RevokeError)
	default:
		c.printf("Logged out of %s (the provider offers no revocation).\n", profile)
	}
	return nil
}

func runVersion(c *cmdContext) error {
	c.printf("tokentray %s\n", c.env.Version)
	return nil
}
