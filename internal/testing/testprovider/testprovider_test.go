package testprovider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// TestAuthorizationCodeFlow is the path tokentray takes: authorization code
// with PKCE through a loopback redirect, then refreshes with rotation.
func TestAuthorizationCodeFlow(t *testing.T) {
	p := Start(t, Options{})
	cb := newCallback(t)
	b := p.Browser("alice")

	// Asking for offline_access must still work (and not need prompt=consent).
	code, verifier := authorize(t, p, b, cb, DefaultClientID, "openid offline_access")
	tok := exchange(t, p, cb, clientCreds{id: DefaultClientID}, code, verifier)
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if s, _ := tok[k].(string); s == "" {
			t.Fatalf("token response has no %s; keys: %v", k, keys(tok))
		}
	}
	if got := claimsOf(t, tok["id_token"].(string))["sub"]; got != "alice" {
		t.Errorf("id_token sub = %v, want alice", got)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 50 || exp > 60 {
		t.Errorf("expires_in = %v, want the 60 s default", tok["expires_in"])
	}
	at := tok["access_token"].(string)
	if strings.Count(at, ".") == 2 {
		t.Errorf("access token looks like a JWT; want opaque")
	}
	if active, err := p.Introspect(DefaultClientID, "", at); err != nil || !active {
		t.Errorf("Introspect(access token) = %v, %v; want active", active, err)
	}

	// Rotation: a new refresh token each time; the old one is then refused.
	rt1 := tok["refresh_token"].(string)
	status, body, err := p.RefreshDirect(DefaultClientID, rt1)
	if err != nil || status != http.StatusOK {
		t.Fatalf("refresh: HTTP %d, %v: %s", status, err, oauthError(body))
	}
	rt2, _ := body["refresh_token"].(string)
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh did not rotate the refresh token (new one empty: %v)", rt2 == "")
	}
	if active, err := p.Introspect(DefaultClientID, "", rt2); err != nil || !active {
		t.Errorf("Introspect(rotated refresh token) = %v, %v; want active", active, err)
	}
	status, body, err = p.RefreshDirect(DefaultClientID, rt1)
	if err != nil || status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Fatalf("reused refresh token: HTTP %d, %v, %s; want 400 invalid_grant", status, err, oauthError(body))
	}
	// node-oidc-provider treats reuse as theft and revokes the whole grant.
	status, body, _ = p.RefreshDirect(DefaultClientID, rt2)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("refresh token after reuse of its predecessor: HTTP %d %s; want 400 invalid_grant", status, oauthError(body))
	}

	// Second login: the session is remembered, so no login page, and a
	// refresh token comes without offline_access.
	code, verifier = authorize(t, p, b, cb, DefaultClientID, "openid")
	tok = exchange(t, p, cb, clientCreds{id: DefaultClientID}, code, verifier)
	if s, _ := tok["refresh_token"].(string); s == "" {
		t.Errorf("no refresh token without offline_access; keys: %v", keys(tok))
	}
	if n := b.Logins(); n != 1 {
		t.Errorf("browser signed in %d times, want 1 (session remembered)", n)
	}
	if n := len(b.URLs()); n != 2 || !strings.HasPrefix(b.URLs()[0], p.AuthURL()+"?") {
		t.Errorf("URLs() = %d URLs, want the 2 authorization URLs", n)
	}
}

func TestNoRotation(t *testing.T) {
	p := Start(t, Options{NoRotation: true, AccessTokenTTL: 5 * time.Minute})
	cb := newCallback(t)
	code, verifier := authorize(t, p, p.Browser("carol"), cb, DefaultClientID, "openid")
	tok := exchange(t, p, cb, clientCreds{id: DefaultClientID}, code, verifier)
	if exp, _ := tok["expires_in"].(float64); exp < 290 {
		t.Errorf("expires_in = %v, want about 300", tok["expires_in"])
	}
	rt := tok["refresh_token"].(string)
	for i := range 2 {
		status, body, err := p.RefreshDirect(DefaultClientID, rt)
		if err != nil || status != http.StatusOK {
			t.Fatalf("refresh %d: HTTP %d, %v: %s", i, status, err, oauthError(body))
		}
		if got, _ := body["refresh_token"].(string); got != rt {
			t.Fatalf("refresh %d: refresh token changed (present: %v); want the same one", i, got != "")
		}
	}
}

// TestDeviceFlow runs RFC 8628 end to end with ApproveDevice.
func TestDeviceFlow(t *testing.T) {
	p := Start(t, Options{})
	status, da := postForm(t, p.DeviceAuthURL(), url.Values{"client_id": {DefaultClientID}, "scope": {"openid"}}, nil)
	if status != http.StatusOK {
		t.Fatalf("device authorization: HTTP %d: %s", status, oauthError(da))
	}
	userCode, _ := da["user_code"].(string)
	deviceCode, _ := da["device_code"].(string)
	if da["verification_uri"] != p.DeviceURL() {
		t.Errorf("verification_uri = %v, want %s", da["verification_uri"], p.DeviceURL())
	}

	poll := url.Values{"grant_type": {deviceGrant}, "device_code": {deviceCode}, "client_id": {DefaultClientID}}
	if status, body := postForm(t, p.TokenURL(), poll, nil); body["error"] != "authorization_pending" {
		t.Fatalf("token before approval: HTTP %d %s; want authorization_pending", status, oauthError(body))
	}

	b := p.Browser("dave")
	if err := b.ApproveDevice("BCDF-GHJK"); err == nil || !strings.Contains(err.Error(), "did not accept") {
		t.Errorf("ApproveDevice(wrong code) = %v; want a rejection", err)
	}
	if err := b.ApproveDevice(userCode); err != nil {
		t.Fatalf("ApproveDevice: %v", err)
	}

	status, tok := postForm(t, p.TokenURL(), poll, nil)
	if status != http.StatusOK {
		t.Fatalf("token after approval: HTTP %d: %s", status, oauthError(tok))
	}
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if s, _ := tok[k].(string); s == "" {
			t.Errorf("device token response has no %s; keys: %v", k, keys(tok))
		}
	}
	if got := claimsOf(t, tok["id_token"].(string))["sub"]; got != "dave" {
		t.Errorf("id_token sub = %v, want dave", got)
	}

	// Opening verification_uri_complete works too, and the remembered
	// session skips the login page.
	status, da = postForm(t, p.DeviceAuthURL(), url.Values{"client_id": {DefaultClientID}, "scope": {"openid"}}, nil)
	if status != http.StatusOK {
		t.Fatalf("device authorization: HTTP %d: %s", status, oauthError(da))
	}
	if err := b.Browse(da["verification_uri_complete"].(string)); err != nil {
		t.Fatalf("Browse(verification_uri_complete): %v", err)
	}
	poll.Set("device_code", da["device_code"].(string))
	if status, tok := postForm(t, p.TokenURL(), poll, nil); status != http.StatusOK {
		t.Fatalf("token after approval: HTTP %d: %s", status, oauthError(tok))
	}
	if n := b.Logins(); n != 1 {
		t.Errorf("browser signed in %d times, want 1", n)
	}
}

// TestBrowseErrors: a broken flow is an error that says where and why,
// without leaking the authorization code.
func TestBrowseErrors(t *testing.T) {
	p := Start(t, Options{})
	b := p.Browser("frank")
	authURL := func(redirectURI string) string {
		sum := sha256.Sum256([]byte(randomString()))
		return p.AuthURL() + "?" + url.Values{
			"client_id":             {DefaultClientID},
			"response_type":         {"code"},
			"redirect_uri":          {redirectURI},
			"scope":                 {"openid"},
			"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
			"code_challenge_method": {"S256"},
		}.Encode()
	}

	// Native clients may use any loopback port, but only the registered
	// host and path.
	err := b.Browse(authURL("http://localhost:8080/callback"))
	if err == nil || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "invalid_redirect_uri") {
		t.Errorf("Browse(unregistered redirect URI) = %v; want HTTP 400 invalid_redirect_uri", err)
	}

	// Nobody listens at the redirect URI: the error must not show the code.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := fmt.Sprintf("http://%s/callback", ln.Addr())
	ln.Close()
	err = b.Browse(authURL(closed))
	if err == nil || !strings.Contains(err.Error(), "delivering") {
		t.Fatalf("Browse(dead callback) = %v; want a delivery error", err)
	}
	if strings.Contains(err.Error(), "code=") {
		t.Errorf("error leaks the authorization code: %v", err)
	}
}

// TestConfidentialClients checks each client authentication method tests
// may configure, through a real code exchange.
func TestConfidentialClients(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := Start(t, Options{Clients: []map[string]any{
		Client("basic", "client_secret_basic", map[string]any{"client_secret": "basic-secret"}),
		Client("post", "client_secret_post", map[string]any{"client_secret": "post-secret"}),
		Client("jwt-es256", "private_key_jwt", map[string]any{"jwks": JWKS(ecKey)}),
		Client("jwt-rs256", "private_key_jwt", map[string]any{"jwks": JWKS(rsaKey)}),
	}})
	cb := newCallback(t)
	b := p.Browser("erin")

	for _, c := range []clientCreds{
		{id: "basic", secret: "basic-secret", basic: true},
		{id: "post", secret: "post-secret"},
		{id: "jwt-es256", key: ecKey},
		{id: "jwt-rs256", key: rsaKey},
	} {
		t.Run(c.id, func(t *testing.T) {
			code, verifier := authorize(t, p, b, cb, c.id, "openid")
			tok := exchange(t, p, cb, c, code, verifier)
			if s, _ := tok["refresh_token"].(string); s == "" {
				t.Fatalf("no refresh token; keys: %v", keys(tok))
			}
			if c.secret == "" {
				return
			}
			// The helpers authenticate secret clients as they are registered.
			if active, err := p.Introspect(c.id, "", tok["access_token"].(string)); err != nil || !active {
				t.Errorf("Introspect = %v, %v; want active", active, err)
			}
			if status, body, err := p.RefreshDirect(c.id, tok["refresh_token"].(string)); err != nil || status != http.StatusOK {
				t.Errorf("RefreshDirect: HTTP %d, %v: %s", status, err, oauthError(body))
			}
		})
	}
	// A wrong secret must not pass.
	if _, err := p.Introspect("basic", "wrong", "whatever"); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("Introspect with a wrong secret = %v; want invalid_client", err)
	}
}

// TestStartFailsLoudly: a provider that can't start must fail the test,
// never skip it.
func TestStartFailsLoudly(t *testing.T) {
	ft := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Invalid metadata (no secret for a confidential client) stops
		// the provider at startup.
		Start(ft, Options{Clients: []map[string]any{{"client_id": "broken", "redirect_uris": []string{DefaultRedirectURI}}}})
	}()
	<-done
	if ft.skipped {
		t.Fatalf("Start skipped the test: %s", ft.msg)
	}
	if !ft.fataled {
		t.Fatalf("Start returned without failing")
	}
	if !strings.Contains(ft.msg, "client_secret is mandatory") {
		t.Errorf("failure message does not show the provider's reason:\n%s", ft.msg)
	}
}

// fakeTB records Fatal and Skip instead of ending the real test.
type fakeTB struct {
	testing.TB
	mu               sync.Mutex
	fataled, skipped bool
	msg              string
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fataled, f.msg = true, fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }
func (f *fakeTB) Skip(args ...any)  { f.Skipf("%s", fmt.Sprint(args...)) }
func (f *fakeTB) SkipNow()          { f.Skipf("SkipNow") }
func (f *fakeTB) FailNow()          { f.Fatalf("FailNow") }

// callback is the client's loopback redirect target.
type callback struct {
	redirectURI string
	got         chan url.Values
}

func newCallback(t *testing.T) *callback {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cb := &callback{
		redirectURI: fmt.Sprintf("http://%s/callback", ln.Addr()),
		got:         make(chan url.Values, 1),
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		select {
		case cb.got <- r.URL.Query():
		default:
		}
		fmt.Fprintln(w, "signed in, you may close this window")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return cb
}

// authorize runs the browser part of an authorization-code + PKCE login
// and returns the code and the PKCE verifier.
func authorize(t *testing.T, p *Provider, b *Browser, cb *callback, clientID, scope string) (code, verifier string) {
	t.Helper()
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	state := randomString()
	q := url.Values{
		"client_id":             {clientID},
		"response_type":         {"code"},
		"redirect_uri":          {cb.redirectURI},
		"scope":                 {scope},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if err := b.Browse(p.AuthURL() + "?" + q.Encode()); err != nil {
		t.Fatalf("Browse: %v", err)
	}
	var got url.Values
	select {
	case got = <-cb.got:
	case <-time.After(5 * time.Second):
		t.Fatal("the callback was not called")
	}
	if e := got.Get("error"); e != "" {
		t.Fatalf("authorization error: %s: %s", e, got.Get("error_description"))
	}
	if got.Get("state") != state {
		t.Errorf("state mismatch")
	}
	if got.Get("iss") != p.Issuer { // RFC 9207
		t.Errorf("iss = %q, want %q", got.Get("iss"), p.Issuer)
	}
	if got.Get("code") == "" {
		t.Fatal("no code in the callback")
	}
	return got.Get("code"), verifier
}

// clientCreds is how a client authenticates at the token endpoint.
type clientCreds struct {
	id     string
	secret string
	basic  bool          // secret in the Authorization header, else in the body
	key    crypto.Signer // private_key_jwt
}

func exchange(t *testing.T, p *Provider, cb *callback, c clientCreds, code, verifier string) map[string]any {
	t.Helper()
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {cb.redirectURI},
		"code_verifier": {verifier},
	}
	var basic []string
	switch {
	case c.key != nil:
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", clientAssertion(t, p, c.id, c.key))
	case c.basic:
		basic = []string{c.id, c.secret}
	case c.secret != "":
		form.Set("client_id", c.id)
		form.Set("client_secret", c.secret)
	default:
		form.Set("client_id", c.id)
	}
	status, tok := postForm(t, p.TokenURL(), form, basic)
	if status != http.StatusOK {
		t.Fatalf("code exchange: HTTP %d: %s", status, oauthError(tok))
	}
	return tok
}

func postForm(t *testing.T, endpoint string, form url.Values, basic []string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic != nil {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST %s: HTTP %d, body not JSON: %v", endpoint, resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

// clientAssertion builds a private_key_jwt assertion (RFC 7523) by hand.
func clientAssertion(t *testing.T, p *Provider, clientID string, key crypto.Signer) string {
	t.Helper()
	alg := "RS256"
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = "ES256"
	}
	now := time.Now().Unix()
	header, _ := json.Marshal(map[string]any{"alg": alg, "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss": clientID, "sub": clientID, "aud": p.Issuer,
		"jti": randomString(), "iat": now, "exp": now + 60,
	})
	input := b64(header) + "." + b64(claims)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	case *rsa.PrivateKey:
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	}
	return input + "." + b64(sig)
}

// claimsOf decodes a JWT's payload without verifying it; enough to read sub.
func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// randomString is 43 characters: the shortest PKCE verifier allowed.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return b64(b)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
