package config

import (
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The defaults of the integration keys.
const (
	DefaultTokenEnv    = "TOKEN"
	DefaultGitUsername = "oauth2"
)

// maxCAFile bounds what a ca_file may hold.
const maxCAFile = 1 << 20

var envName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`) })

// ValidEnvName reports whether s can name an environment variable.
func ValidEnvName(s string) bool { return envName().MatchString(s) }

// TokenEnvName is the variable `tokentray exec` sets: token_env or TOKEN.
func (p *Profile) TokenEnvName() string {
	if p.TokenEnv != "" {
		return p.TokenEnv
	}
	return DefaultTokenEnv
}

// GitUser is the user name git-credential answers with: git_username or oauth2.
func (p *Profile) GitUser() string {
	if p.GitUsername != "" {
		return p.GitUsername
	}
	return DefaultGitUsername
}

// GitProfile returns the profile whose git_hosts name host (as git sends
// it: a name, or name:port when the URL has a port). Names compare without
// regard to case; a port must match exactly, and 443 is the same as none.
func (c *Config) GitProfile(host string) (*Profile, bool) {
	want := normalHost(host)
	for i := range c.Profiles {
		for _, h := range c.Profiles[i].GitHosts {
			if normalHost(h) == want {
				return &c.Profiles[i], true
			}
		}
	}
	return nil, false
}

func normalHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.TrimSuffix(h, ":443")
}

func (p *Profile) validateIntegrations(k func(string) string, add func(key, format string, args ...any)) {
	if p.Login == "device" && p.Issuer == "" && p.DeviceEndpoint == "" {
		add(k("device_authorization_endpoint"), "missing: a device login needs issuer or device_authorization_endpoint")
	}
	if p.TokenEnv != "" && !envName().MatchString(p.TokenEnv) {
		add(k("token_env"), "%q is not an environment variable name (letters, digits and _, not starting with a digit)", p.TokenEnv)
	}
	if p.GitUsername != "" && (strings.ContainsFunc(p.GitUsername, isControl) || strings.ContainsAny(p.GitUsername, "=:")) {
		add(k("git_username"), "must not contain control characters, '=' or ':'")
	}
	for _, h := range p.GitHosts {
		if err := checkGitHost(h); err != nil {
			add(k("git_hosts"), "%v", err)
		}
	}
	if p.CAFile != "" {
		if err := checkCAFile(p.CAFile); err != nil {
			add(k("ca_file"), "%v", err)
		}
	}
}

// validateGitHosts refuses a host named by two profiles: git would get
// one profile's token for the other's remotes.
func (c *Config) validateGitHosts(add func(key, format string, args ...any)) {
	owner := map[string]string{}
	for i, p := range c.Profiles {
		for _, h := range p.GitHosts {
			n := normalHost(h)
			if prev, dup := owner[n]; dup && prev != p.Name {
				add(fmt.Sprintf("profile[%d].git_hosts", i), "%q is already in the git_hosts of profile %q", h, prev)
			}
			owner[n] = p.Name
		}
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// checkGitHost accepts a host name or IP, with an optional port: what git
// puts in the host= line of its credential protocol.
func checkGitHost(h string) error {
	if h == "" || strings.ContainsAny(h, "/@?#= \t") || strings.ContainsFunc(h, isControl) {
		return fmt.Errorf("%q is not a host name (give just the host, like git.example.com or git.example.com:8443)", h)
	}
	host := h
	if hh, port, err := net.SplitHostPort(h); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: %q is not a port", h, port)
		}
		host = hh
	}
	if host == "" || strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return fmt.Errorf("%q is not a host name (give just the host, like git.example.com or git.example.com:8443)", h)
	}
	return nil
}

// checkCAFile reads a PEM bundle and checks that it holds certificates.
func checkCAFile(path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%q: give an absolute path", path)
	}
	_, err := ReadCAFile(path)
	return err
}

// ReadCAFile reads a PEM bundle of CA certificates (at most 1 MiB) and
// checks that it holds at least one.
func ReadCAFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCAFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCAFile {
		return nil, fmt.Errorf("%s: larger than 1 MiB", path)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return b, nil
}
