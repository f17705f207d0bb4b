package auth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// loginResult is how a login ends.
type loginResult struct {
	tok *Token
	err error
}

// maxPasted bounds a pasted redirect URL.
const maxPasted = 16 << 10

// paste completes the login with a redirect URL a person copied from the
// address bar of a browser that could not reach our listener (a browser on
// another machine shows "unable to connect" at http://127.0.0.1:PORT/…).
// The URL must be this login's redirect URI with its answer in the query
// (a bare query is taken as that too), and it goes through exactly the
// checks of a callback request: state, iss, error, code, the exchange and
// the ID token. A URL that is not this login's (wrong address or state)
// is refused and the login stays pending; anything else ends the login,
// and its outcome is returned.
func (cb *callback) paste(raw string, once *sync.Once, done chan<- loginResult) error {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxPasted {
		return fmt.Errorf("%w: the pasted text is longer than %d bytes", ErrCallback, maxPasted)
	}
	if q, ok := strings.CutPrefix(raw, "?"); ok {
		raw = cb.redirectURI + "?" + q
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return fmt.Errorf("%w: paste the whole address from the browser's address bar (it starts with %s)", ErrCallback, cb.redirectURI)
	}
	want, err := url.Parse(cb.redirectURI)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCallback, err)
	}
	if u.Scheme != want.Scheme || u.Host != want.Host || u.Path != want.Path {
		return fmt.Errorf("%w: that address is not where this login's answer goes (%s…); was it copied from the right tab?", ErrCallback, cb.redirectURI)
	}
	_, handled, tok, err := cb.handle(&http.Request{Method: http.MethodGet, URL: u}, once)
	if handled {
		done <- loginResult{tok, err}
	}
	return err
}
