package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
)

// SecretAccount is the keyring account of a profile's client secret.
func SecretAccount(profile string) string { return profile + ":client-secret" }

// KeyAccount is the keyring account of a profile's private_key_jwt key (PEM).
func KeyAccount(profile string) string { return profile + ":private-key" }

// maxKeyFile bounds what is read of a private_key_file.
const maxKeyFile = 64 << 10

// connector builds a profile's auth client once, discovering the endpoints
// the config does not give and reading the client secret or key from the
// store. A failure is not cached: the next refresh tries again. reset drops
// the client, so that a new secret is used from the next request on.
type connector struct {
	a *Agent
	p config.Profile // with its preset applied

	mu     sync.Mutex // guards client
	client *auth.Client
}

func (c *connector) connect(ctx context.Context) (session.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	cl, err := c.a.buildClient(ctx, c.p)
	if err != nil {
		return nil, err
	}
	c.client = cl
	return cl, nil
}

func (c *connector) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.client = nil
}

// connectors finds the connector of each profile by name.
type connectors struct {
	mu sync.Mutex // guards m
	m  map[string]*connector
}

// reset drops the cached client of the named profile, if any.
func (cs *connectors) reset(name string) {
	cs.mu.Lock()
	c := cs.m[name]
	cs.mu.Unlock()
	if c != nil {
		c.reset()
	}
}

// connector returns the profile's Connect (p has its preset applied) and
// keeps its connector for SetSecret. A profile the config changed gets a
// new one.
func (a *Agent) connector(p config.Profile) func(context.Context) (session.Provider, error) {
	c := &connector{a: a, p: p}
	a.conns.mu.Lock()
	if a.conns.m == nil {
		a.conns.m = map[string]*connector{}
	}
	a.conns.m[p.Name] = c
	a.conns.mu.Unlock()
	return c.connect
}

// presetNeedsSecret reports whether the named preset is for a confidential
// client (the digirunner preset, unlike digirunner-public).
func presetNeedsSecret(name string) bool {
	pr, ok := auth.LookupPreset(name)
	return ok && pr.NeedsSecret
}

func misconfigured(format string, args ...any) error {
	return &auth.Error{Kind: auth.Misconfigured, Description: fmt.Sprintf(format, args...)}
}

func (a *Agent) buildClient(ctx context.Context, p config.Profile) (*auth.Client, error) {
	dialect, err := auth.ParseDialect(p.Dialect)
	if err != nil {
		return nil, &auth.Error{Kind: auth.Misconfigured, Description: err.Error()}
	}
	cfg := auth.Config{
		Issuer:   p.Issuer,
		ClientID: p.ClientID,
		Endpoints: auth.Endpoints{
			AuthorizationURL:       p.AuthorizationEndpoint,
			TokenURL:               p.TokenEndpoint,
			RevocationURL:          p.RevocationEndpoint,
			DeviceAuthorizationURL: p.DeviceEndpoint,
		},
		ClientAuth:        auth.ClientAuth(p.ClientAuth),
		AssertionAudience: p.AssertionAudience,
		Scopes:            p.Scopes,
		RefreshScope:      p.RefreshScope,
		Dialect:           dialect,
		ExtraParams:       p.ExtraParams,
		ExtraHeaders:      p.ExtraHeaders,
	}
	hc, err := ProfileHTTPClient(a.hc, p)
	if err != nil {
		return nil, &auth.Error{Kind: auth.Misconfigured, Description: err.Error()}
	}
	if p.Issuer != "" && (cfg.Endpoints.TokenURL == "" || cfg.Endpoints.AuthorizationURL == "") {
		d, err := auth.Discover(ctx, hc, p.Issuer)
		if err != nil {
			return nil, &auth.Error{Kind: auth.Transient, Description: "discovery failed", Err: err}
		}
		fill := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		fill(&cfg.Endpoints.AuthorizationURL, d.AuthorizationURL)
		fill(&cfg.Endpoints.TokenURL, d.TokenURL)
		fill(&cfg.Endpoints.RevocationURL, d.RevocationURL)
		fill(&cfg.Endpoints.DeviceAuthorizationURL, d.DeviceAuthorizationURL)
		cfg.Endpoints.IssParameterSupported = d.IssParameterSupported
	}
	switch cfg.ClientAuth {
	case auth.AuthSecretBasic, auth.AuthSecretPost, auth.AuthDigiRunner:
		secret, err := a.store.Get(ctx, SecretAccount(p.Name))
		switch {
		case errors.Is(err, store.ErrNotFound) && cfg.ClientAuth == auth.AuthDigiRunner && !presetNeedsSecret(p.Preset):
			// digiRunner's PKCE public client sends Basic Base64(id ":").
		case errors.Is(err, store.ErrNotFound):
			return nil, misconfigured("profile %q has no client secret: set it with `tokentray secret set %s`", p.Name, p.Name)
		case err != nil:
			return nil, err
		}
		cfg.ClientSecret = secret
	case auth.AuthPrivateKeyJWT:
		pem, err := a.privateKey(ctx, p)
		if err != nil {
			return nil, err
		}
		if cfg.Signer, err = auth.NewAssertionSigner(pem, p.KeyID); err != nil {
			return nil, misconfigured("profile %q: %v", p.Name, err)
		}
	}
	return auth.NewClient(cfg, hc, a.o.Now), nil
}

// privateKey reads the private_key_jwt key from the profile's file, else
// from the keyring.
func (a *Agent) privateKey(ctx context.Context, p config.Profile) ([]byte, error) {
	if p.PrivateKeyFile != "" {
		return a.readKeyFile(p)
	}
	v, err := a.store.Get(ctx, KeyAccount(p.Name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, misconfigured("profile %q uses private_key_jwt but has no private_key_file and no key in the keyring: store one with `tokentray secret set-key %s KEY.pem`", p.Name, p.Name)
	}
	return []byte(v), err
}

// readKeyFile reads private_key_file: "~/" is the home directory, and a
// relative path is relative to the config file's directory.
func (a *Agent) readKeyFile(p config.Profile) ([]byte, error) {
	path := p.PrivateKeyFile
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, misconfigured("profile %q: private_key_file %s: %v", p.Name, path, err)
		}
		path = filepath.Join(home, rest)
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(a.o.ConfigPath), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, misconfigured("profile %q: private_key_file: %v", p.Name, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		a.log.Warn("the private key file is readable by other users; chmod 600 it", "profile", p.Name, "path", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, misconfigured("profile %q: private_key_file: %v", p.Name, err)
	}
	if len(b) > maxKeyFile {
		return nil, misconfigured("profile %q: private_key_file %s is larger than 64 KiB; it is not a PEM private key", p.Name, path)
	}
	return b, nil
}
