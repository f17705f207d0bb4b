package session

import "time"

// Current is what a session holds of its access token, for a person to
// look at (the token details window). It never holds the refresh token.
type Current struct {
	AccessToken  string
	TokenType    string
	Scope        string
	Expiry       time.Time
	ExpirySource string
	// Received is when the agent got the token from the provider (or read
	// it back from the store).
	Received      time.Time
	RefreshExpiry time.Time
	Extra         map[string]any
}

// Current returns the access token the session holds now, without
// refreshing; ok is false when it holds none.
func (s *Session) Current() (c Current, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil || s.tok.AccessToken == "" {
		return Current{}, false
	}
	t := s.tok
	return Current{AccessToken: t.AccessToken, TokenType: t.TokenType, Scope: t.Scope, Expiry: t.Expiry,
		ExpirySource: t.ExpirySource, Received: s.received, RefreshExpiry: t.RefreshExpiry, Extra: t.Extra}, true
}
