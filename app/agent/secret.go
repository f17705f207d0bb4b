package agent

import (
	"context"
	"fmt"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/session"
)

// SetSecret stores a profile's client secret in the store (the keyring)
// under SecretAccount, and starts the profile's session over so that its
// next request uses the new secret. Its refresh token stays where it is.
func (a *Agent) SetSecret(ctx context.Context, profile, secret string) error {
	a.mu.RLock()
	p, ok := a.cfg.Profile(profile)
	var pc config.Profile
	if ok {
		pc = *p
	}
	a.mu.RUnlock()
	if !ok {
		return fmt.Errorf("agent: no profile named %q", profile)
	}
	if err := a.store.Set(ctx, SecretAccount(profile), secret); err != nil {
		return err
	}
	fresh := a.newSession(pc)
	a.mu.Lock()
	old := a.sessions[profile]
	a.sessions[profile] = fresh
	a.mu.Unlock()
	if old != nil {
		old.Close()
	}
	a.restoreAll(ctx, a.onlyLive(fresh))
	a.log.Info("client secret stored; the profile starts over", "profile", profile)
	a.changed()
	return nil
}

// onlyLive returns s in a slice when it is still the session of its profile.
func (a *Agent) onlyLive(s *session.Session) []*session.Session {
	if cur, ok := a.Session(s.Name()); ok && cur == s {
		return []*session.Session{s}
	}
	return nil
}
