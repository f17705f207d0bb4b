package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Browser opens a URL for a person to look at.
type Browser interface {
	Browse(url string) error
}

// LoginOptions shape one browser login.
type LoginOptions struct {
	// RedirectPort is the loopback port of the redirect URI; 0 picks any
	// free port (RFC 8252 §7.3).
	RedirectPort int
	// RedirectPath is the path of the redirect URI; "/callback" if empty.
	RedirectPath string
	// Browser opens the authorization URL; nil opens nothing (the caller
	// shows the URL from OnURL instead).
	Browser Browser
	// OnURL receives the authorization URL once the listener is ready.
	OnURL func(url string)
	// Page writes the page the browser shows after the callback; err is nil
	// on success, and who then names the signed-in person (see Identity;
	// empty when the provider said nothing). A plain text page is written
	// when Page is nil.
	Page func(w http.ResponseWriter, status int, who string, err error)
	// OnPaste, if set, receives (before OnURL is called) a function that
	// completes the login with a redirect URL a person copied by hand from
	// a browser that could not reach the loopback listener, such as one on
	// another machine. See Paste.
	OnPaste func(paste func(redirectURL string) error)
}

// ErrCallback is wrapped by every error about the loopback callback itself
// (a denied consent, a forged or broken redirect).
var ErrCallback = errors.New("login callback")

// Login runs the authorization code grant with PKCE (RFC 7636, S256) through
// a loopback redirect (RFC 8252 §7.3): it binds first, opens the browser only
// once the listener is ready, accepts exactly one callback carrying the right
// state, and exchanges the code. It returns when ctx ends or the login does.
func (c *Client) Login(ctx context.Context, opts LoginOptions) (*Token, error) {
	if c.cfg.Endpoints.AuthorizationURL == "" {
		return nil, errors.New("auth: no authorization endpoint configured")
	}
	path := opts.RedirectPath
	if path == "" {
		path = "/callback"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.RedirectPort)))
	if err != nil {
		return nil, fmt.Errorf("auth: listening for the login callback: %w", err)
	}
	redirectURI := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, path)

	verifier := oauth2.GenerateVerifier()
	state, nonce := randomString(), ""
	params := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if slices.Contains(c.cfg.Scopes, "openid") {
		nonce = randomString()
		params = append(params, oauth2.SetAuthURLParam("nonce", nonce))
	}
	oc := oauth2.Config{
		ClientID:    c.cfg.ClientID,
		Endpoint:    oauth2.Endpoint{AuthURL: c.cfg.Endpoints.AuthorizationURL},
		RedirectURL: redirectURI,
		Scopes:      c.cfg.Scopes,
	}
	authURL := oc.AuthCodeURL(state, params...)

	done := make(chan loginResult, 1)
	var once sync.Once
	page := opts.Page
	if page == nil {
		page = plainPage
	}
	cb := &callback{client: c, path: path, state: state, nonce: nonce, verifier: verifier, redirectURI: redirectURI, ctx: ctx}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		MaxHeaderBytes:    16 << 10, // a huge query string gets 431, not memory
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, handled, tok, err := cb.handle(r, &once)
			who := ""
			if tok != nil {
				who = Identity(tok.IDToken)
			}
			page(w, status, who, err)
			if handled {
				done <- loginResult{tok, err}
			}
		}),
	}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()

	if opts.OnPaste != nil {
		opts.OnPaste(func(redirectURL string) error { return cb.paste(redirectURL, &once, done) })
	}
	if opts.OnURL != nil {
		opts.OnURL(authURL)
	}
	browserErr := make(chan error, 1)
	if opts.Browser != nil {
		go func() { browserErr <- opts.Browser.Browse(authURL) }()
	}
	for {
		select {
		case r := <-done:
			return r.tok, r.err
		case err := <-browserErr:
			if err != nil {
				return nil, fmt.Errorf("auth: opening the browser: %w", err)
			}
		case <-ctx.Done():
			return nil, fmt.Errorf("auth: login: %w", context.Cause(ctx))
		}
	}
}

// callback checks one request to the loopback redirect URI.
type callback struct {
	client                                    *Client
	path, state, nonce, verifier, redirectURI string
	ctx                                       context.Context
}

// handle returns the HTTP status for the page, whether this request ended
// the login, and its outcome. Requests that are not the callback (other
// paths, a wrong state) are answered and ignored: a stray or forged request
// must not end a login a person is in the middle of.
func (cb *callback) handle(r *http.Request, once *sync.Once) (status int, handled bool, tok *Token, err error) {
	if r.URL.Path != cb.path {
		return http.StatusNotFound, false, nil, fmt.Errorf("%w: no such page", ErrCallback)
	}
	if r.Method != http.MethodGet {
		return http.StatusMethodNotAllowed, false, nil, fmt.Errorf("%w: method not allowed", ErrCallback)
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(cb.state)) != 1 {
		return http.StatusBadRequest, false, nil, fmt.Errorf("%w: this answer does not belong to the login tokentray started (state mismatch)", ErrCallback)
	}
	first := false
	once.Do(func() { first = true })
	if !first {
		return http.StatusConflict, false, nil, fmt.Errorf("%w: this login was already completed", ErrCallback)
	}
	status, tok, err = cb.complete(q)
	return status, true, tok, err
}

func (cb *callback) complete(q map[string][]string) (int, *Token, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	cfg := cb.client.cfg
	// RFC 9207 §2.4: a present iss must match; a provider that announces
	// support must send it.
	if iss, ok := q["iss"]; ok && cfg.Issuer != "" && iss[0] != cfg.Issuer {
		return http.StatusBadRequest, nil, fmt.Errorf("%w: the answer came from issuer %q, not %q (RFC 9207 mix-up defence)", ErrCallback, Redact(iss[0], 100), cfg.Issuer)
	} else if !ok && cfg.Endpoints.IssParameterSupported {
		return http.StatusBadRequest, nil, fmt.Errorf("%w: the provider announces RFC 9207 but the answer has no iss", ErrCallback)
	}
	if e := get("error"); e != "" {
		msg := Redact(e, 60)
		if d := get("error_description"); d != "" {
			msg += ": " + Redact(d, 200)
		}
		return http.StatusForbidden, nil, fmt.Errorf("%w: the provider refused: %s", ErrCallback, msg)
	}
	code := get("code")
	if code == "" {
		return http.StatusBadRequest, nil, fmt.Errorf("%w: the answer has no code", ErrCallback)
	}
	ctx, cancel := context.WithTimeout(cb.ctx, 60*time.Second)
	defer cancel()
	tok, err := cb.client.Exchange(ctx, code, cb.verifier, cb.redirectURI)
	if err != nil {
		return http.StatusBadGateway, nil, err
	}
	if err := cb.checkIDToken(tok.IDToken); err != nil {
		return http.StatusBadGateway, nil, err
	}
	return http.StatusOK, tok, nil
}

// checkIDToken compares the ID token's nonce and issuer with the request.
// Its signature is not checked: it came straight from the token endpoint
// over the connection we opened (OIDC Core §3.1.3.7, item 6).
func (cb *callback) checkIDToken(idt string) error {
	if idt == "" || cb.nonce == "" {
		return nil
	}
	_, claims, err := DecodeJWT(idt)
	if err != nil {
		return fmt.Errorf("auth: ID token: %w", err)
	}
	if n, _ := claims["nonce"].(string); subtle.ConstantTimeCompare([]byte(n), []byte(cb.nonce)) != 1 {
		return errors.New("auth: ID token nonce does not match the login request")
	}
	if iss, _ := claims["iss"].(string); cb.client.cfg.Issuer != "" && iss != cb.client.cfg.Issuer {
		return fmt.Errorf("auth: ID token issuer %q, want %q", Redact(iss, 100), cb.client.cfg.Issuer)
	}
	return nil
}

// Identity names the person an ID token is about, for showing: the first
// of preferred_username, email, name and sub (OIDC Core §5.1) that it has;
// "" for no or a broken ID token. The token is not verified: use it for
// display only.
func Identity(idToken string) string {
	if idToken == "" {
		return ""
	}
	_, claims, err := DecodeJWT(idToken)
	if err != nil {
		return ""
	}
	for _, k := range []string{"preferred_username", "email", "name", "sub"} {
		if v, _ := claims[k].(string); v != "" {
			return Redact(v, 100)
		}
	}
	return ""
}

func plainPage(w http.ResponseWriter, status int, who string, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err != nil {
		fmt.Fprintf(w, "Sign-in failed: %v\n", err)
		return
	}
	if who != "" {
		fmt.Fprintf(w, "Signed in as %s. You can close this tab.\n", who)
		return
	}
	fmt.Fprintln(w, "Signed in. You can close this tab.")
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
