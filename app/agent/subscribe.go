package agent

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/tokentray/tokentray/app/config"
	"github.com/tokentray/tokentray/app/session"
)

// subscribers fan OnChange out to the tray and anyone else who asks.
type subscribers struct {
	mu   sync.Mutex // guards subs
	subs map[chan struct{}]struct{}
}

func (s *subscribers) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default: // a change is already pending: changes coalesce
		}
	}
}

// Subscribe returns a channel that receives a value after any profile's
// state changed (several changes in a row may arrive as one), and a func
// that ends the subscription. The tray redraws from it.
func (a *Agent) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	a.subs.mu.Lock()
	if a.subs.subs == nil {
		a.subs.subs = map[chan struct{}]struct{}{}
	}
	a.subs.subs[ch] = struct{}{}
	a.subs.mu.Unlock()
	return ch, func() {
		a.subs.mu.Lock()
		delete(a.subs.subs, ch)
		a.subs.mu.Unlock()
	}
}

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

// Config returns the config the agent runs on now. It is replaced whole
// on reload, never changed: treat it as read-only.
func (a *Agent) Config() *config.Config {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.cfg
}

// Logger is the agent's logger, for the parts that run in its process.
func (a *Agent) Logger() *slog.Logger { return a.log }
