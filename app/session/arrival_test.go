package session

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A provider whose clock runs behind hands out access tokens that have
// already expired by ours (a JWT's exp in the past). The rotated refresh
// token is kept, the dead access token is never served, and the session
// backs off instead of refreshing in a tight loop.
func TestTokensExpiredOnArrivalBackOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, p, clock := laptop(t, time.Hour)
		st := s.o.Store.(*memStore)
		p.mu.Lock()
		p.life = -10 * time.Minute // the provider's clock is an hour and ten minutes behind... in effect
		p.mu.Unlock()
		clock.suspend(2 * time.Hour) // the current token is due
		before := p.refreshes.Load()
		for range 60 { // a minute of readers
			tok, err := s.Token(context.Background(), 0)
			if err == nil || tok.AccessToken != "" {
				t.Fatalf("got %q, %v, want an error: every token the provider gives is dead", tok.AccessToken, err)
			}
			time.Sleep(time.Second)
		}
		synctest.Wait()
		if n := p.refreshes.Load() - before; n < 2 || n > 8 {
			t.Errorf("got %d refreshes in a minute, want a few (backoff), not a loop", n)
		}
		p.mu.Lock()
		current := p.current
		p.mu.Unlock()
		if got := st.refreshToken("work"); got != current {
			t.Errorf("stored refresh token %q, want the latest %q: the chain must survive", got, current)
		}
		stat := s.Status()
		if !strings.Contains(stat.LastError, "expired") || stat.State == LoginRequired {
			t.Errorf("status: got %+v, want the reason (an expired token) and no login required", stat)
		}
		// The provider's clock is fixed: the next refresh serves again.
		p.mu.Lock()
		p.life = time.Hour
		p.mu.Unlock()
		time.Sleep(backoffCeiling)
		synctest.Wait()
		if tok, err := s.Token(context.Background(), 0); err != nil || !tok.Valid(clock.Now(), 0) {
			t.Errorf("after the clocks agree: got %q, %v, want a fresh token", tok.AccessToken, err)
		}
		if n := p.logins.Load(); n != 0 {
			t.Errorf("got %d logins started, want none", n)
		}
	})
}
