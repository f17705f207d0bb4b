package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// pasteLogin starts a login against the provider with no browser and
// returns the authorization URL, the paste function and the outcome.
func pasteLogin(t *testing.T, p *testprovider.Provider) (authURL string, paste func(string) error, done <-chan loginResult) {
	t.Helper()
	ctx := testContext(t)
	ep, err := Discover(ctx, http.DefaultClient, p.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(Config{Issuer: p.Issuer, ClientID: testprovider.DefaultClientID, Scopes: []string{"openid"}, Endpoints: ep}, nil, nil)
	urls := make(chan string, 1)
	pastes := make(chan func(string) error, 1)
	out := make(chan loginResult, 1)
	go func() {
		tok, err := c.Login(ctx, LoginOptions{
			OnURL:   func(u string) { urls <- u },
			OnPaste: func(f func(string) error) { pastes <- f },
		})
		out <- loginResult{tok, err}
	}()
	return <-urls, <-pastes, out
}

// TestPastedRedirectCompletesTheLogin: a browser on another machine ends
// on an address it cannot reach; pasted back, it completes the login after
// the same checks as a callback. Strays are refused and leave it pending.
func TestPastedRedirectCompletesTheLogin(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	authURL, paste, done := pasteLogin(t, p)
	final, err := p.Browser("gina").RedirectURL(authURL)
	if err != nil {
		t.Fatalf("RedirectURL: %v", err)
	}
	u, _ := url.Parse(final)
	q := u.Query()
	if q.Get("code") == "" || q.Get("iss") != p.Issuer {
		t.Fatalf("redirect: got %s, want a code and iss", u.Redacted())
	}

	// Refused, the login stays pending.
	otherPort := *u
	otherPort.Host = "127.0.0.1:1"
	forged := *u
	fq := u.Query()
	fq.Set("state", "forged")
	forged.RawQuery = fq.Encode()
	for _, tt := range []struct{ name, pasted, want string }{
		{"another address", otherPort.String(), "not where this login's answer goes"},
		{"not a URL", "the code is 1234", "paste the whole address"},
		{"another login's state", forged.String(), "state mismatch"},
	} {
		err := paste(tt.pasted)
		if !errors.Is(err, ErrCallback) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
		mustNotLeak(t, err.Error(), q.Get("code"))
	}
	select {
	case r := <-done:
		t.Fatalf("the login ended on a refused paste: %v", r.err)
	default:
	}

	// The whole address, with spaces around it as terminals copy it.
	if err := paste("  " + final + "\n"); err != nil {
		t.Fatalf("paste: %v", err)
	}
	r := <-done
	if r.err != nil || r.tok.AccessToken == "" || r.tok.IDToken == "" {
		t.Fatalf("login: got %v, want tokens", r.err)
	}
	if err := paste(final); err == nil || !strings.Contains(err.Error(), "already completed") {
		t.Errorf("second paste: got %v, want already completed", err)
	}
}

func TestPastedQueryAndPastedRefusals(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	b := p.Browser("hank")

	t.Run("a bare query", func(t *testing.T) {
		authURL, paste, done := pasteLogin(t, p)
		final, err := b.RedirectURL(authURL)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(final)
		if err := paste("?" + u.RawQuery); err != nil {
			t.Fatalf("paste: %v", err)
		}
		if r := <-done; r.err != nil {
			t.Fatalf("login: %v", r.err)
		}
	})

	t.Run("another issuer ends the login (RFC 9207)", func(t *testing.T) {
		authURL, paste, done := pasteLogin(t, p)
		final, err := b.RedirectURL(authURL)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(final)
		q := u.Query()
		q.Set("iss", "https://evil.example")
		u.RawQuery = q.Encode()
		if err := paste(u.String()); err == nil || !strings.Contains(err.Error(), "mix-up") {
			t.Errorf("paste: got %v, want the mix-up defence", err)
		}
		if r := <-done; r.err == nil || !strings.Contains(r.err.Error(), "mix-up") {
			t.Errorf("login: got %v, want the mix-up defence", r.err)
		}
	})

	t.Run("a refusal by the provider ends the login", func(t *testing.T) {
		authURL, paste, done := pasteLogin(t, p)
		a, _ := url.Parse(authURL)
		redirect := a.Query().Get("redirect_uri")
		q := url.Values{"error": {"access_denied"}, "error_description": {"the user said no"}, "state": {a.Query().Get("state")}, "iss": {p.Issuer}}
		if err := paste(redirect + "?" + q.Encode()); err == nil || !strings.Contains(err.Error(), "the user said no") {
			t.Errorf("paste: got %v, want the provider's refusal", err)
		}
		if r := <-done; r.err == nil {
			t.Error("login: got no error")
		}
	})
}
