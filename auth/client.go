package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// maxBody bounds every response body read from a provider.
const maxBody = 1 << 20

// Config describes one client at one provider. Secrets come from the caller
// (the agent reads them from the keyring); auth never stores them.
type Config struct {
	// Issuer is the expected "iss" of the authorization response (RFC 9207)
	// and of ID tokens; empty when the profile has no issuer.
	Issuer       string
	Endpoints    Endpoints
	ClientID     string
	ClientSecret string
	ClientAuth   ClientAuth
	// Signer signs private_key_jwt client assertions.
	Signer *AssertionSigner
	// AssertionAudience is the "aud" of private_key_jwt client assertions;
	// the token endpoint when empty (RFC 7523 §3). Providers differ: Oracle
	// identity domains want the domain URL among the audiences.
	AssertionAudience []string
	Scopes            []string
	// RefreshScope is sent as "scope" on refresh requests when set, to ask
	// for less than was granted (RFC 6749 §6; Oracle's identity domains REST API
	// documentation). Only
	// the oauth2 dialect has a scope field.
	RefreshScope string
	Dialect      Dialect
	// ExtraParams are added to every token request; they never replace a
	// field tokentray itself sets (grant_type, refresh_token, client_id, …).
	ExtraParams  map[string]string
	ExtraHeaders map[string]string // added to every token request
	// ReadTimeout bounds the wait for a token endpoint's answer once the
	// request has been sent; DefaultReadTimeout when zero. It outlives the
	// caller's context on purpose: see post.
	ReadTimeout time.Duration
}

// DefaultReadTimeout is how long the answer to a sent token request is
// waited for: generous, because a process paused mid-refresh (SIGSTOP, a
// frozen cgroup, a suspended VM) finds the answer in its socket on waking,
// and an answer thrown away may hold the only copy of a rotated refresh
// token.
const DefaultReadTimeout = 2 * time.Minute

// Client makes token requests for one Config. It is safe for concurrent use;
// callers serialise refreshes themselves (auth keeps no state).
type Client struct {
	cfg Config
	hc  *http.Client
	// tokenHC is hc for token requests: no whole-request timeout and no
	// response header timeout, which would fire after a pause and discard
	// an answer that has arrived; the contexts in post bound them instead.
	tokenHC *http.Client
	now     func() time.Time
}

// defaultTimeout bounds a token request when NewClient is given no client.
const defaultTimeout = 30 * time.Second

// NewClient returns a Client that sends its requests with hc and reads the
// time from now. hc should have a timeout (nil means a client with a 30 s
// one; nil now means time.Now). Redirects are never followed on the token
// endpoint: a 307 would re-send a refresh token elsewhere.
func NewClient(cfg Config, hc *http.Client, now func() time.Time) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	if now == nil {
		now = time.Now
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.Dialect == "" {
		cfg.Dialect = DialectOAuth2
	}
	if cfg.ClientAuth == "" {
		cfg.ClientAuth = AuthNone
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = max(DefaultReadTimeout, hc.Timeout)
	}
	tc := c
	tc.Timeout = 0
	if tr, ok := c.Transport.(*http.Transport); ok && tr.ResponseHeaderTimeout > 0 {
		tr = tr.Clone()
		tr.ResponseHeaderTimeout = 0
		tc.Transport = tr
	}
	return &Client{cfg: cfg, hc: &c, tokenHC: &tc, now: now}
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// Exchange redeems an authorization code with its PKCE verifier (RFC 6749
// §4.1.3, RFC 7636 §4.5).
func (c *Client) Exchange(ctx context.Context, code, verifier, redirectURI string) (*Token, error) {
	f := form{
		{"grant_type", "authorization_code"},
		{"code", code},
		{"code_verifier", verifier},
		{"redirect_uri", redirectURI},
	}
	return c.tokenRequest(ctx, f, code, verifier)
}

// Refresh uses a refresh token (RFC 6749 §6). The returned token carries the
// refresh token to keep: a rotated one, or rt again when none was issued.
// Its Scope is empty when the provider did not say; RefreshFrom, given the
// previous token, keeps that one's.
func (c *Client) Refresh(ctx context.Context, rt string) (*Token, error) {
	return c.RefreshFrom(ctx, &Token{RefreshToken: rt})
}

// RefreshFrom refreshes prev with its refresh token (RFC 6749 §6) and
// completes the answer from it: the refresh token and the scope a provider
// leaves out are prev's.
func (c *Client) RefreshFrom(ctx context.Context, prev *Token) (*Token, error) {
	rt := prev.RefreshToken
	f := c.cfg.Dialect.refreshForm(rt)
	if c.cfg.RefreshScope != "" && c.cfg.Dialect == DialectOAuth2 {
		f.set("scope", c.cfg.RefreshScope)
	}
	t, err := c.tokenRequest(ctx, f, rt)
	if err != nil {
		return nil, err
	}
	t.mergeFrom(prev)
	if t.RefreshExpiry.IsZero() {
		// The kept refresh token may be a JWT whose exp still tells.
		if exp, ok := JWTExpiry(t.RefreshToken); ok {
			t.RefreshExpiry = exp
		}
	}
	return t, nil
}

// Password uses the resource owner password credentials grant (RFC 6749
// §4.3), or the dialect's equivalent. The password is used once, not kept.
func (c *Client) Password(ctx context.Context, user, password string) (*Token, error) {
	f := c.cfg.Dialect.passwordForm(user, password)
	if len(c.cfg.Scopes) > 0 && c.cfg.Dialect == DialectOAuth2 {
		f.set("scope", strings.Join(c.cfg.Scopes, " "))
	}
	return c.tokenRequest(ctx, f, password)
}

// ErrNoRevocation is returned by Revoke when the provider has no revocation endpoint.
var ErrNoRevocation = errors.New("auth: the provider has no revocation endpoint")

// Revoke revokes token at the revocation endpoint (RFC 7009 §2.1). hint is
// "refresh_token" or "access_token".
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	if c.cfg.Endpoints.RevocationURL == "" {
		return ErrNoRevocation
	}
	f := form{{"token", token}, {"token_type_hint", hint}}
	resp, body, err := c.post(ctx, c.hc, c.cfg.Endpoints.RevocationURL, f)
	if err != nil {
		return err
	}
	// RFC 7009 §2.2: 200 whether or not the token was valid.
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return c.errorFrom(resp.StatusCode, body, c.secrets(token)...)
}

// secrets lists the values that must never show in an error: those sent
// in the request, and the client secret in every form it is sent in.
func (c *Client) secrets(sent ...string) []string {
	s := append(slices.Clone(sent), c.cfg.ClientSecret)
	if c.cfg.ClientAuth == AuthDigiRunner && c.cfg.ClientSecret != "" {
		s = append(s, base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientSecret)))
	}
	return s
}

// tokenRequest POSTs f to the token endpoint and parses the answer. sent
// are values in f that must never show in an error.
func (c *Client) tokenRequest(ctx context.Context, f form, sent ...string) (*Token, error) {
	if c.cfg.Endpoints.TokenURL == "" {
		return nil, &Error{Kind: Misconfigured, Description: "no token endpoint configured"}
	}
	// Lifetimes count from the moment the request leaves: the provider may
	// have issued the token at any instant after it (RFC 6749 §5.1 gives
	// expires_in "from the time the response was generated").
	issued := c.now()
	ctx, cancel := c.sendDeadline(ctx)
	defer cancel()
	resp, body, err := c.post(ctx, c.tokenHC, c.cfg.Endpoints.TokenURL, f)
	if err != nil {
		return nil, err
	}
	skew := dateSkew(resp.Header.Get("Date"), c.now())
	secrets := c.secrets(sent...)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &Error{Kind: Misconfigured, Status: resp.StatusCode,
			Description: "the token endpoint redirected to " + Redact(resp.Header.Get("Location"), 120, secrets...) + "; not following it"}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, c.errorFrom(resp.StatusCode, body, secrets...)
	}
	t, err := c.cfg.Dialect.parse(body, issued, skew, secrets)
	if err != nil {
		return nil, err
	}
	t.Issued = issued
	if skew != nil {
		t.ClockSkew = *skew
	}
	return t, nil
}

// sendDeadline bounds the sending of a token request by the caller's
// client timeout too, since tokenHC has none.
func (c *Client) sendDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.hc.Timeout > 0 {
		return context.WithTimeout(ctx, c.hc.Timeout)
	}
	return context.WithCancel(ctx)
}

// skewGrain is the Date header's resolution: a difference within it is no
// evidence that the clocks disagree.
const skewGrain = 2 * time.Second

// dateSkew is the provider's clock minus ours from an HTTP Date header
// (RFC 9110 §6.6.1) read at local time now: zero within skewGrain, nil
// when absent or unreadable.
func dateSkew(date string, now time.Time) *time.Duration {
	if date == "" {
		return nil
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return nil
	}
	// The header is truncated to the second: the provider's clock read
	// somewhere in [t, t+1s) when it wrote it.
	skew := t.Add(500 * time.Millisecond).Sub(now)
	if skew > -skewGrain && skew < skewGrain {
		skew = 0
	}
	skew = skew.Round(time.Second)
	return &skew
}

// post sends a form with the client's authentication, extra parameters and
// headers with hc, and reads at most maxBody of the answer. ctx bounds the
// sending only: once the request is written the provider may have acted on
// it (retired a rotated refresh token), so its answer is read, within
// ReadTimeout, even if ctx ends meanwhile. A failure after the request was
// written is an *Error with Sent set.
func (c *Client) post(ctx context.Context, hc *http.Client, endpoint string, f form) (*http.Response, []byte, error) {
	h := http.Header{}
	if err := c.authenticate(&f, h, endpoint); err != nil {
		return nil, nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(c.cfg.ExtraParams)) {
		if !f.has(k) {
			f.set(k, c.cfg.ExtraParams[k])
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(f.encode()))
	if err != nil {
		return nil, nil, &Error{Kind: Misconfigured, Description: "cannot build the request", Err: err}
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	for k, v := range c.cfg.ExtraHeaders {
		req.Header.Set(k, v)
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.ReadTimeout)
	defer rcancel()
	var (
		mu      sync.Mutex // guards written and dropped
		written bool       // the whole request went out
		dropped bool       // ctx ended first: the request was abandoned
	)
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		written = i.Err == nil && !dropped
	}}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !written {
			dropped = true
			rcancel()
		}
	})
	defer stop()
	wasSent := func() bool { mu.Lock(); defer mu.Unlock(); return written }
	if err := ctx.Err(); err != nil {
		return nil, nil, &Error{Kind: Transient, Err: err}
	}
	resp, err := hc.Do(req.WithContext(httptrace.WithClientTrace(rctx, trace)))
	if err != nil {
		// The url.Error carries only the endpoint, never the body.
		if wasSent() {
			return nil, nil, &Error{Kind: Transient, Sent: true, Description: "the request was sent but no answer came", Err: err}
		}
		return nil, nil, &Error{Kind: Transient, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, &Error{Kind: Transient, Sent: true, Status: resp.StatusCode, Description: "reading the response", Err: err}
	}
	if len(body) > maxBody {
		return nil, nil, &Error{Kind: Transient, Status: resp.StatusCode, Description: "response larger than 1 MiB; refused"}
	}
	return resp, body, nil
}

// authenticate adds the client's credentials to a token or revocation request.
func (c *Client) authenticate(f *form, h http.Header, endpoint string) error {
	id, secret := c.cfg.ClientID, c.cfg.ClientSecret
	switch c.cfg.ClientAuth {
	case AuthNone:
		// RFC 6749 §3.2.1: a public client identifies itself by client_id.
		// Veeam's token endpoint knows no client at all (Veeam Backup & Replication REST
		// API reference: the
		// body is grantType and refreshToken, nothing else), and a profile
		// without a client ID has nothing to send.
		if id != "" && c.cfg.Dialect != DialectVeeam {
			f.set("client_id", id)
		}
	case AuthSecretBasic:
		// RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
		h.Set("Authorization", "Basic "+basic(url.QueryEscape(id), url.QueryEscape(secret)))
	case AuthSecretPost:
		f.set("client_id", id)
		f.set("client_secret", secret)
	case AuthDigiRunner:
		// digiRunner (its OAuth token API documentation): Base64(id ":" Base64(secret)), the
		// secret encoded once more and neither part form-urlencoded; a PKCE
		// public client sends Base64(id ":") with nothing after the colon.
		// The body carries no client_id.
		enc := ""
		if secret != "" {
			enc = base64.StdEncoding.EncodeToString([]byte(secret))
		}
		h.Set("Authorization", "Basic "+basic(id, enc))
	case AuthPrivateKeyJWT:
		if c.cfg.Signer == nil {
			return &Error{Kind: Misconfigured, Description: "private_key_jwt needs a private key"}
		}
		// RFC 7523 §3: the audience identifies the authorization server;
		// the token endpoint does unless the profile says otherwise.
		aud := c.cfg.AssertionAudience
		if len(aud) == 0 {
			aud = []string{c.cfg.Endpoints.TokenURL}
			if aud[0] == "" {
				aud[0] = endpoint
			}
		}
		assertion, err := c.cfg.Signer.Sign(id, aud, c.now())
		if err != nil {
			return err
		}
		// RFC 7523 §2.2; client_id as in the example of Oracle's identity
		// domains REST API documentation.
		f.set("client_id", id)
		f.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		f.set("client_assertion", assertion)
	default:
		return &Error{Kind: Misconfigured, Description: fmt.Sprintf("unknown client authentication %q", c.cfg.ClientAuth)}
	}
	return nil
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// errorFrom turns a non-200 answer into an *Error: RFC 6749 §5.2 JSON when
// the provider sent it, else the status and a short token-free excerpt.
func (c *Client) errorFrom(status int, body []byte, secrets ...string) error {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`   // Veeam and other non-RFC APIs
		ErrorCode   string `json:"errorCode"` // Veeam's REST API
	}
	if json.Unmarshal(body, &e) == nil && (e.Error != "" || e.ErrorCode != "" || e.Description != "" || e.Message != "") {
		if e.Error == "" {
			e.Error = e.ErrorCode
		}
		desc := e.Description
		if desc == "" {
			desc = e.Message
		}
		desc = Redact(desc, 200, secrets...)
		return &Error{Kind: classify(status, e.Error, desc), Status: status, Code: Redact(e.Error, 60, secrets...), Description: desc}
	}
	excerpt := excerpt(body, secrets)
	if excerpt == "" {
		excerpt = http.StatusText(status)
	}
	return &Error{Kind: classify(status, "", excerpt), Status: status, Description: excerpt}
}
