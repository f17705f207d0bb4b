package agent

import (
	"context"
	"fmt"

	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/auth"
)

// SetSecret stores a profile's client secret or private key in the store
// (api.Secrets) and drops the profile's auth client, so that the next token
// request uses it. A private key is checked first: a file that is not an
// RSA or EC P-256 key in PEM is refused now, not at the next refresh. The
// note says when the profile's client_auth will not use what was stored.
func (a *Agent) SetSecret(ctx context.Context, profile string, kind api.SecretKind, value string) (string, error) {
	p, ok := a.profile(profile)
	if !ok {
		return "", fmt.Errorf("agent: no profile named %q", profile)
	}
	account := SecretAccount(profile)
	if kind == api.PrivateKey {
		if _, err := auth.NewAssertionSigner([]byte(value), ""); err != nil {
			return "", fmt.Errorf("%w: %v", api.ErrInvalidSecret, err)
		}
		account = KeyAccount(profile)
	}
	if err := a.store.Set(ctx, account, value); err != nil {
		return "", err
	}
	a.conns.reset(profile)
	a.log.Info("stored in the keyring", "profile", profile, "what", string(kind))
	var note string
	switch ca := auth.ClientAuth(p.ClientAuth); {
	case kind == api.ClientSecret && ca != auth.AuthSecretBasic && ca != auth.AuthSecretPost && ca != auth.AuthDigiRunner:
		note = fmt.Sprintf("profile %q uses client_auth %q, which sends no client secret: it is kept but unused", profile, clientAuthName(ca))
	case kind == api.PrivateKey && ca != auth.AuthPrivateKeyJWT:
		note = fmt.Sprintf("profile %q uses client_auth %q, not private_key_jwt: the key is kept but unused", profile, clientAuthName(ca))
	case kind == api.PrivateKey && p.PrivateKeyFile != "":
		note = fmt.Sprintf("profile %q reads its key from private_key_file %s, which comes first: the stored key is unused", profile, p.PrivateKeyFile)
	}
	return note, nil
}

// DeleteSecret removes a profile's client secret or private key from the
// store; removing one that is not there is no error.
func (a *Agent) DeleteSecret(ctx context.Context, profile string, kind api.SecretKind) error {
	if _, ok := a.profile(profile); !ok {
		return fmt.Errorf("agent: no profile named %q", profile)
	}
	account := SecretAccount(profile)
	if kind == api.PrivateKey {
		account = KeyAccount(profile)
	}
	if err := a.store.Delete(ctx, account); err != nil {
		return err
	}
	a.conns.reset(profile)
	a.log.Info("deleted from the keyring", "profile", profile, "what", string(kind))
	return nil
}

// profile returns the named profile with its preset applied.
func (a *Agent) profile(name string) (p config.Profile, ok bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	raw, ok := a.cfg.Profile(name)
	if !ok {
		return config.Profile{}, false
	}
	return raw.Effective(), true
}

func clientAuthName(ca auth.ClientAuth) string {
	if ca == "" {
		return string(auth.AuthNone)
	}
	return string(ca)
}
