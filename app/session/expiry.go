package session

import (
	"context"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/auth"
)

// How refreshing treats the refresh token's lifetime (Session.renewal).
const (
	// renewRolling: every refresh starts the lifetime again (Veeam issues
	// each new refresh token with a fresh one; Pagero documents it).
	renewRolling = "rolling"
	// renewFixed: refreshing does not move the expiry (digiRunner re-signs
	// the refresh token with the first one's exp).
	renewFixed = "fixed"
)

// refreshExpiry completes tok.RefreshExpiry and says how refreshing treats
// it: from the configured rolling lifetime when the provider told none, the
// previous expiry when the provider kept the refresh token and told none
// (RFC 6749 §6), and rolling or fixed by comparing with the previous
// expiry. A new grant's renewal is unknown ("") until its first refresh.
func (s *Session) refreshExpiry(tok *auth.Token, now time.Time, isRefresh bool) string {
	if tok.RefreshExpiry.IsZero() && s.o.RefreshLifetime > 0 {
		tok.RefreshExpiry = now.Add(s.o.RefreshLifetime)
		return renewRolling
	}
	if !isRefresh {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.tok
	if prev == nil {
		return ""
	}
	if tok.RefreshExpiry.IsZero() && tok.RefreshToken == prev.RefreshToken {
		tok.RefreshExpiry = prev.RefreshExpiry
	}
	switch {
	case tok.RefreshExpiry.IsZero() || prev.RefreshExpiry.IsZero():
		return s.renewal // nothing to compare with (an import): as before
	case tok.RefreshExpiry.After(prev.RefreshExpiry):
		return renewRolling
	default:
		return renewFixed
	}
}

// checkRefreshExpiryLocked logs a warning, once, when the refresh token
// will expire within RefreshWarning and a refresh has shown that
// refreshing does not renew it (a new login says nothing about that yet).
func (s *Session) checkRefreshExpiryLocked(now time.Time) {
	if s.tok == nil || s.tok.RefreshExpiry.IsZero() || s.state != Valid {
		return
	}
	left := s.tok.RefreshExpiry.Sub(now)
	if left >= s.o.RefreshWarning {
		s.warned = false
		return
	}
	if s.warned || s.renewal != renewFixed {
		return
	}
	s.warned = true
	s.o.Log.Warn("the refresh token expires soon; log in again before then",
		"refresh_expires_at", s.tok.RefreshExpiry.Format(time.RFC3339), "in", apiclient.Human(left))
}

// Resume retries a grant whose refresh was refused because of the client's
// own credentials (a missing or wrong client secret or key), once they have
// been fixed: the provider never accepted that refresh, so the refresh token
// may still be good and no new login is needed. It reports whether it tried;
// the error is the refresh's.
func (s *Session) Resume(ctx context.Context) (bool, error) {
	s.mu.Lock()
	stuck := s.state == LoginRequired && s.misconfig
	s.mu.Unlock()
	if !stuck {
		return false, nil
	}
	rec, err := s.load(ctx)
	if err != nil || rec.RefreshToken == "" || !rec.Misconfigured {
		return false, nil
	}
	s.persist.Lock()
	s.mu.Lock()
	if s.state != LoginRequired || !s.misconfig {
		s.mu.Unlock()
		s.persist.Unlock()
		return false, nil
	}
	now := s.now()
	s.tok, s.received, s.next = &auth.Token{RefreshToken: rec.RefreshToken}, now, now
	s.state, s.reason, s.failures, s.retryAt, s.lastErr, s.misconfig = Valid, "", 0, time.Time{}, "", false
	s.renewal, s.warned = "", false
	s.mu.Unlock()
	s.persist.Unlock()
	s.o.Log.Info("retrying the refused refresh token with the client's new credentials")
	return true, s.Refresh(ctx)
}
