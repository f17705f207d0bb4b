package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
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

// connector returns the profile's Connect: it builds the auth client once,
// discovering endpoints the config does not give, and reading the client
// secret or key from the store. A failure is not cached: the next refresh
// tries again.
func (a *Agent) connector(p config.Profile) func(context.Context) (session.Provider, error) {
	var mu sync.Mutex // guards client
	var client *auth.Client
	return func(ctx context.Context) (session.Provider, error) {
		mu.Lock()
		defer mu.Unlock()
		if client != nil {
			return client, nil
		}
		c, err := a.buildClient(ctx, p)
		if err != nil {
			return nil, err
		}
		client = c
		return c, nil
	}
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
		ClientAuth:   auth.ClientAuth(p.ClientAuth),
		Scopes:       p.Scopes,
		RefreshScope: p.RefreshScope,
		Dialect:      dialect,
		ExtraParams:  p.ExtraParams,
		ExtraHeaders: p.ExtraHeaders,
	}
	if p.Issuer != "" && (cfg.Endpoints.TokenURL == "" || cfg.Endpoints.AuthorizationURL == "") {
		d, err := auth.Discover(ctx, a.hc, p.Issuer)
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
		case errors.Is(err, store.ErrNotFound) && cfg.ClientAuth == auth.AuthDigiRunner:
			// digiRunner's PKCE public client sends Basic Base64(id ":").
		case errors.Is(err, store.ErrNotFound):
			return nil, &auth.Error{Kind: auth.Misconfigured, Description: fmt.Sprintf("profile %q has no client secret: set it with `tokentray secret set %s`", p.Name, p.Name)}
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
			return nil, &auth.Error{Kind: auth.Misconfigured, Description: err.Error()}
		}
	}
	return auth.NewClient(cfg, a.hc, a.o.Now), nil
}

// privateKey reads the private_key_jwt key from the profile's file, else
// from the keyring.
func (a *Agent) privateKey(ctx context.Context, p config.Profile) ([]byte, error) {
	if p.PrivateKeyFile != "" {
		b, err := os.ReadFile(p.PrivateKeyFile)
		if err != nil {
			return nil, &auth.Error{Kind: auth.Misconfigured, Description: "reading private_key_file", Err: err}
		}
		return b, nil
	}
	v, err := a.store.Get(ctx, KeyAccount(p.Name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, &auth.Error{Kind: auth.Misconfigured, Description: fmt.Sprintf("profile %q uses private_key_jwt but has no private_key_file and no key in the keyring", p.Name)}
	}
	return []byte(v), err
}
