// Package config reads and writes tokentray's TOML configuration. Every
// problem is reported with the file, line and key, and a file with any
// problem is refused whole: the agent never runs on a half-read config.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/tokentray/tokentray/auth"
)

// DefaultListen is the loopback TCP address of the token API.
const DefaultListen = "127.0.0.1:8733"

// Config is the whole file.
type Config struct {
	// Listen is the loopback TCP address of the token API ("off" disables it).
	Listen string `toml:"listen,omitempty"`
	// Store is where refresh tokens live: "keyring" (default), or "file"
	// only when the user explicitly asks for a plain file.
	Store    string `toml:"store,omitempty"`
	LogLevel string `toml:"log_level,omitempty"`
	// ClipboardClear is how long a token copied from the tray stays on the
	// clipboard; 30 s when unset (see ClipboardClearAfter).
	ClipboardClear Duration `toml:"clipboard_clear,omitempty"`
	// TrayTheme is the colour of the panel the tray icon sits on: "dark",
	// "light", or "auto" (the default: the desktop's colour scheme).
	TrayTheme string    `toml:"tray_theme,omitempty"`
	Profiles  []Profile `toml:"profile"`
}

// Profile is one [[profile]]: a client at a provider.
type Profile struct {
	Name                  string            `toml:"name"`
	Preset                string            `toml:"preset,omitempty"`      // fills unset fields: see Effective
	Domain                string            `toml:"domain,omitempty"`      // the preset's {domain}
	APIVersion            string            `toml:"api_version,omitempty"` // the preset's {api_version}
	Issuer                string            `toml:"issuer,omitempty"`
	AuthorizationEndpoint string            `toml:"authorization_endpoint,omitempty"`
	TokenEndpoint         string            `toml:"token_endpoint,omitempty"`
	RevocationEndpoint    string            `toml:"revocation_endpoint,omitempty"`
	DeviceEndpoint        string            `toml:"device_authorization_endpoint,omitempty"`
	ClientID              string            `toml:"client_id,omitempty"`
	Scopes                []string          `toml:"scopes"`
	RedirectPort          int               `toml:"redirect_port,omitempty"`
	RedirectPath          string            `toml:"redirect_path,omitempty"`
	Browser               string            `toml:"browser,omitempty"`
	ClientAuth            string            `toml:"client_auth,omitempty"`
	PrivateKeyFile        string            `toml:"private_key_file,omitempty"`
	KeyID                 string            `toml:"key_id,omitempty"`
	Dialect               string            `toml:"dialect,omitempty"`
	Login                 string            `toml:"login,omitempty"`
	Username              string            `toml:"username,omitempty"`
	RefreshScope          string            `toml:"refresh_scope,omitempty"`
	ExtraParams           map[string]string `toml:"extra_params,omitempty"`
	ExtraHeaders          map[string]string `toml:"extra_headers,omitempty"`
	// DefaultLifetime is assumed for an access token whose lifetime the
	// provider does not tell (no expires_in, not a JWT); "1h" if empty.
	DefaultLifetime Duration `toml:"default_lifetime,omitempty"`
	// MinValid is the least an access token of this profile is served
	// with left to live, on top of the built-in margin (a tenth of its
	// lifetime, at least 30 s, at most half); a request may ask for more.
	MinValid Duration `toml:"min_valid,omitempty"`
	// AssertionAudience is the "aud" of private_key_jwt client assertions;
	// the token endpoint when empty.
	AssertionAudience []string `toml:"assertion_audience,omitempty"`
	// RefreshLifetime is the documented rolling lifetime of the refresh
	// token (Pagero: three years), assumed when the provider does not tell;
	// every refresh starts it again.
	RefreshLifetime Duration `toml:"refresh_lifetime,omitempty"`
	// CAFile is a PEM bundle of extra CA certificates trusted for this
	// profile's provider, on top of the system's (a company's own CA).
	CAFile string `toml:"ca_file,omitempty"`
	// TokenEnv is the environment variable `tokentray exec` puts the
	// token in; "TOKEN" if empty.
	TokenEnv string `toml:"token_env,omitempty"`
	// GitHosts are the hosts (host or host:port) whose HTTPS git remotes
	// `tokentray git-credential` answers with this profile's token.
	GitHosts []string `toml:"git_hosts,omitempty"`
	// GitUsername is the user name sent with the token to git hosts;
	// "oauth2" if empty (GitHub wants "x-access-token").
	GitUsername string `toml:"git_username,omitempty"`
}

// Duration is a time.Duration written as "90s", "1h".
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration like \"90s\" or \"1h\"")
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// IsZero lets omitempty leave an unset duration out.
func (d Duration) IsZero() bool { return d.Duration == 0 }

// DefaultPath is tokentray/config.toml under the user's config directory.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return filepath.Join(dir, "tokentray", "config.toml"), nil
}

// Problem is one thing wrong in a file.
type Problem struct {
	File string
	Line int    // 0 when unknown
	Key  string // e.g. profile[1].issuer
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, p.Key, p.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, p.Msg)
}

// Error lists every problem found in a file.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "config: " + strings.Join(lines, "\n  ")
}

// ErrNotExist is returned by Load for a missing file.
var ErrNotExist = errors.New("config: file does not exist")

// maxFile bounds what Load reads.
const maxFile = 1 << 20

// Load reads and validates path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotExist, path)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(b) > maxFile {
		return nil, &Error{[]Problem{{File: path, Msg: "larger than 1 MiB"}}}
	}
	return Parse(path, b)
}

// Parse decodes and validates the bytes of a file named name.
func Parse(name string, b []byte) (*Config, error) {
	var c Config
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &Error{decodeProblems(name, err)}
	}
	pos := positions(b)
	var probs []Problem
	add := func(key, format string, args ...any) {
		probs = append(probs, Problem{File: name, Line: pos.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	c.validate(add)
	if len(probs) > 0 {
		return nil, &Error{probs}
	}
	return &c, nil
}

func decodeProblems(name string, err error) []Problem {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var out []Problem
		for _, e := range strict.Errors {
			row, _ := e.Position()
			msg := "unknown key"
			if k := e.Key(); len(k) > 0 && k[len(k)-1] == "client_secret" {
				// Never in a file: the keyring keeps it.
				msg = "a client secret does not belong in the config file: store it in the keyring with `tokentray secret set PROFILE`"
			}
			out = append(out, Problem{File: name, Line: row, Key: keyString(e.Key()), Msg: msg})
		}
		return out
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		msg := strings.TrimPrefix(de.Error(), "toml: ")
		if strings.Contains(msg, "escape") {
			msg += windowsPathHint
		}
		return []Problem{{File: name, Line: row, Key: keyString(de.Key()), Msg: msg}}
	}
	return []Problem{{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: ")}}
}

// windowsPathHint follows a problem that a Windows path in double quotes
// causes: there a backslash starts an escape (\U, \t, \n …).
const windowsPathHint = `; in "double quotes" a backslash starts an escape: write a Windows path in single quotes, 'C:\Users\me\key.pem', or double each backslash`

// checkPath refuses a path that holds a control character: in a file it is
// a Windows path whose backslashes were read as escapes ("C:\temp" holds a
// tab).
func checkPath(v string) error {
	if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return fmt.Errorf("%q holds a control character%s", v, windowsPathHint)
	}
	return nil
}

func keyString(k toml.Key) string { return strings.Join(k, ".") }

var profileName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })

// Known values of the enumerated keys; client_auth, dialect and login are
// auth's (auth.ClientAuths and the others), checked by checkEnum.
var (
	stores    = []string{"", "keyring", "file"}
	logLevels = []string{"", "debug", "info", "warn", "error"}
)

// checkEnum accepts v if it is empty (the default) or one of cs.
func checkEnum[T ~string](what, v string, cs []auth.Choice[T], add func(format string, args ...any)) {
	if v != "" && !auth.Known(cs, v) {
		add("unknown %s %q (want %s)", what, v, auth.Names(cs))
	}
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func (c *Config) validate(add func(key, format string, args ...any)) {
	if c.Listen != "" && c.Listen != "off" {
		if err := checkLoopback(c.Listen); err != nil {
			add("listen", "%v", err)
		}
	}
	if !oneOf(c.Store, stores) {
		add("store", "must be \"keyring\" or \"file\", not %q", c.Store)
	}
	if !oneOf(c.LogLevel, logLevels) {
		add("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	c.validateDesktop(add)
	seen := map[string]int{}
	for i := range c.Profiles {
		p := &c.Profiles[i]
		k := func(f string) string { return fmt.Sprintf("profile[%d].%s", i, f) }
		switch {
		case p.Name == "":
			add(k("name"), "missing")
		case !profileName().MatchString(p.Name):
			add(k("name"), "%q: use letters, digits, '.', '_' and '-' (at most 64)", p.Name)
		default:
			if j, dup := seen[p.Name]; dup {
				add(k("name"), "%q is already the name of profile[%d]", p.Name, j)
			}
			seen[p.Name] = i
		}
		// Everything below checks the profile as the agent will use it,
		// with its preset applied.
		e, presetProblems, broken := p.resolve()
		for _, pp := range presetProblems {
			add(k(pp.field), "%s", pp.msg)
		}
		if broken {
			continue // what else is missing follows from the preset's problem
		}
		p = &e
		checkClientAuth(e, func(f, format string, args ...any) { add(k(f), format, args...) })
		if p.ClientID == "" && !clientIDOptional(e) {
			add(k("client_id"), "missing")
		}
		if p.Issuer == "" && p.TokenEndpoint == "" {
			add(k("issuer"), "missing: give issuer (for discovery) or token_endpoint")
		}
		for f, v := range map[string]string{"issuer": p.Issuer, "authorization_endpoint": p.AuthorizationEndpoint,
			"token_endpoint": p.TokenEndpoint, "revocation_endpoint": p.RevocationEndpoint, "device_authorization_endpoint": p.DeviceEndpoint} {
			if v != "" {
				if err := checkURL(v); err != nil {
					add(k(f), "%v", err)
				}
			}
		}
		if p.RedirectPort < 0 || p.RedirectPort > 65535 {
			add(k("redirect_port"), "%d is not a port (0 picks any free port)", p.RedirectPort)
		}
		if p.RedirectPath != "" && !strings.HasPrefix(p.RedirectPath, "/") {
			add(k("redirect_path"), "must start with /")
		}
		checkEnum("method", p.ClientAuth, auth.ClientAuths(), func(format string, args ...any) { add(k("client_auth"), format, args...) })
		checkEnum("dialect", p.Dialect, auth.Dialects(), func(format string, args ...any) { add(k("dialect"), format, args...) })
		checkEnum("login", p.Login, auth.LoginMethods(), func(format string, args ...any) { add(k("login"), format, args...) })
		if (p.Login == "" || p.Login == "browser") && p.Issuer == "" && p.AuthorizationEndpoint == "" {
			add(k("authorization_endpoint"), "missing: a browser login needs issuer or authorization_endpoint")
		}
		for f, v := range map[string]string{"private_key_file": p.PrivateKeyFile, "browser": p.Browser} {
			if err := checkPath(v); err != nil {
				add(k(f), "%v", err)
			}
		}
		if p.DefaultLifetime.Duration < 0 {
			add(k("default_lifetime"), "must be positive")
		}
		if p.MinValid.Duration < 0 || p.MinValid.Duration > 24*time.Hour {
			add(k("min_valid"), "must be a duration between 0 and 24h")
		}
		checkExtras(p, func(f, format string, args ...any) { add(k(f), format, args...) })
		p.validateIntegrations(k, add)
	}
	c.validateGitHosts(add)
}

// checkURL accepts https URLs, and http only to a loopback host (demo and
// test providers on this machine).
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q: plain http is only allowed to a loopback host; use https", s)
	}
	if u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q: no user info or fragment allowed", s)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkLoopback accepts host:port on a loopback address only.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not host:port", addr)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: the token API listens on a loopback IP only (e.g. 127.0.0.1:8733)", addr)
	}
	return nil
}

// ListenAddr is Listen with its default applied; "" when disabled.
func (c *Config) ListenAddr() string {
	switch c.Listen {
	case "":
		return DefaultListen
	case "off":
		return ""
	}
	return c.Listen
}

// Profile returns the profile named name.
func (c *Config) Profile(name string) (*Profile, bool) {
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i], true
		}
	}
	return nil, false
}

// Save writes c to path atomically (a temp file in the same directory, then
// rename), so a crash never leaves a half-written config. It validates first.
// An existing file is edited in place where its layout allows (see
// inPlace): only the keys and profiles that change are rewritten, and
// comments, blank lines and the order of keys stay; otherwise the file is
// rewritten whole.
func Save(path string, c *Config) error {
	b, err := toml.Marshal(c)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if _, err := Parse(path, b); err != nil {
		return err
	}
	if old, err := readBounded(path); err == nil {
		if edited, ok := inPlace(old, c, b); ok {
			b = edited
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".config-*.toml")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// readBounded reads at most maxFile bytes of path; a larger file is an error.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, errors.New("larger than 1 MiB")
	}
	return b, nil
}
