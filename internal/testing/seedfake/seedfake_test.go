package seedfake

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clock is a settable time source for the fakes.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 250_000_000, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const formType = "application/x-www-form-urlencoded"

// answer is what a fake said to one request.
type answer struct {
	status int
	raw    string
	json   map[string]any
}

// post sends body to url with headers (Content-Type form unless given).
func post(t *testing.T, url string, headers map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", formType)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&a.json)
	return a
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// rejection is a table case expecting an error answer.
type rejection struct {
	name    string
	headers map[string]string
	body    string
	status  int
	code    string // the "error" member, or Veeam's errorCode
}

func checkRejections(t *testing.T, f *Fake, url string, cases []rejection) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.Rejections()
			a := post(t, url, tc.headers, tc.body)
			if a.status != tc.status {
				t.Errorf("status: got %d, want %d (%s)", a.status, tc.status, a.raw)
			}
			code, _ := a.json["error"].(string)
			if c, ok := a.json["errorCode"].(string); ok {
				code = c
			}
			if code != tc.code {
				t.Errorf("error code: got %q, want %q (%s)", code, tc.code, a.raw)
			}
			if got := f.Rejections(); got != before+1 {
				t.Errorf("rejections: got %d, want %d", got, before+1)
			}
		})
	}
}

// The example values of digiRunner's own documentation.
const (
	docDigiRunnerBasic  = "Basic dHNwY2xpZW50OmRITndNVEl6WVdKalpBPT0="
	docDigiRunnerPublic = "Basic dHNwY2xpZW50Og=="
)

func TestDigiRunnerAuthorizationMatchesDocument(t *testing.T) {
	if got := DigiRunnerAuthorization("tspclient", "tsp123abcd"); got != docDigiRunnerBasic {
		t.Errorf("got %v, want %v", got, docDigiRunnerBasic)
	}
	if got := DigiRunnerAuthorization("tspclient", ""); got != docDigiRunnerPublic {
		t.Errorf("got %v, want %v", got, docDigiRunnerPublic)
	}
}

func TestDigiRunner(t *testing.T) {
	clk := newClock()
	d := NewDigiRunner(t, DigiRunnerOptions{ClientID: "tspclient", ClientPassword: "tsp123abcd", Now: clk.Now})
	rt := d.IssueRefreshToken("tspuser")

	a := post(t, d.TokenURL(), map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token="+rt)
	if a.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200 (%s)", a.status, a.raw)
	}
	wantKeys := []string{"access_token", "expires_in", "jti", "node", "org_id", "refresh_token", "scope", "stime", "token_type"}
	if got := keys(a.json); !slices.Equal(got, wantKeys) {
		t.Errorf("keys: got %v, want %v", got, wantKeys)
	}
	for k, want := range map[string]any{"token_type": "bearer", "expires_in": json.Number("86399"), "node": "executor1", "org_id": "100000", "scope": "2000000006"} {
		if a.json[k] != want {
			t.Errorf("%s: got %v, want %v", k, a.json[k], want)
		}
	}
	if got, want := a.json["stime"], json.Number("1740830400250"); got != want {
		t.Errorf("stime: got %v, want %v (milliseconds)", got, want)
	}
	// The keys in the document's order.
	if !strings.HasPrefix(a.raw, `{"access_token":`) || !strings.Contains(a.raw, `"stime":1740830400250,"token_type":"bearer"}`) {
		t.Errorf("body not in the document's order: %s", a.raw)
	}
	newRT := a.json["refresh_token"].(string)
	claims := jwt.MapClaims{}
	if _, err := jwt.Parse(newRT, func(*jwt.Token) (any, error) { return d.PublicKey(), nil }, jwt.WithTimeFunc(clk.Now)); err != nil {
		t.Errorf("refresh token is not a JWT signed by the fake: %v", err)
	}
	jwt.NewParser().ParseUnverified(newRT, claims)
	if exp, _ := claims.GetExpirationTime(); exp == nil || !exp.Equal(clk.Now().Add(30*24*time.Hour).Truncate(time.Second)) {
		t.Errorf("refresh token exp: got %v, want 30 days on", exp)
	}
	if got := d.Refreshes(); got != 1 {
		t.Errorf("refreshes: got %d, want 1", got)
	}

	plainBasic := "Basic dHNwY2xpZW50OnRzcDEyM2FiY2Q=" // RFC 6749 Basic of tspclient:tsp123abcd
	checkRejections(t, d.Fake, d.TokenURL(), []rejection{
		{"no Authorization", nil, "grant_type=refresh_token&refresh_token=" + rt, 401, "invalid_client"},
		{"RFC 6749 Basic instead of the document's", map[string]string{"Authorization": plainBasic}, "grant_type=refresh_token&refresh_token=" + rt, 401, "invalid_client"},
		{"public header for a confidential client", map[string]string{"Authorization": docDigiRunnerPublic}, "grant_type=refresh_token&refresh_token=" + rt, 401, "invalid_client"},
		{"client_id in the body", map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=tspclient", 400, "invalid_request"},
		{"scope in the body", map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token=" + rt + "&scope=2000000006", 400, "invalid_request"},
		{"JSON body", map[string]string{"Authorization": docDigiRunnerBasic, "Content-Type": "application/json"}, `{"grant_type":"refresh_token"}`, 400, "invalid_request"},
		{"other grant", map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=password&username=u&password=p", 400, "unsupported_grant_type"},
		{"unknown refresh token", map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token=nope", 401, "invalid_token"},
		{"field twice", map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token=" + rt + "&refresh_token=" + rt, 400, "invalid_request"},
	})

	t.Run("expired by knob", func(t *testing.T) {
		if !d.ExpireRefreshToken(rt) {
			t.Fatal("ExpireRefreshToken: the fake does not know the token it issued")
		}
		a := post(t, d.TokenURL(), map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token="+rt)
		if a.status != http.StatusUnauthorized || a.json["error"] != "invalid_token" {
			t.Fatalf("got %d %s, want 401 invalid_token", a.status, a.raw)
		}
		if got, want := a.json["error_description"], "Invalid refresh token (expired): "+rt; got != want {
			t.Errorf("error_description: got %v, want %v", got, want)
		}
	})
	t.Run("expired by time", func(t *testing.T) {
		clk.Advance(30 * 24 * time.Hour)
		a := post(t, d.TokenURL(), map[string]string{"Authorization": docDigiRunnerBasic}, "grant_type=refresh_token&refresh_token="+newRT)
		if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.json["error_description"].(string), "Invalid refresh token (expired): ") {
			t.Errorf("got %d %s, want 401 expired", a.status, a.raw)
		}
	})
}

func TestDigiRunnerPublic(t *testing.T) {
	d := NewDigiRunner(t, DigiRunnerOptions{ClientID: "tspclient", Public: true})
	rt := d.IssueRefreshToken("tspuser")
	a := post(t, d.TokenURL(), map[string]string{"Authorization": docDigiRunnerPublic}, "grant_type=refresh_token&refresh_token="+rt)
	if a.status != http.StatusOK {
		t.Fatalf("status: got %d, want 200 (%s)", a.status, a.raw)
	}
	checkRejections(t, d.Fake, d.TokenURL(), []rejection{
		{"client_id in the body instead", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=tspclient", 401, "invalid_client"},
		{"Basic without the colon", map[string]string{"Authorization": "Basic dHNwY2xpZW50"}, "grant_type=refresh_token&refresh_token=" + rt, 401, "invalid_client"},
	})
}

var veeamTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

func TestVeeam(t *testing.T) {
	clk := newClock()
	v := NewVeeam(t, VeeamOptions{User: "admin", Password: "s3cret", Now: clk.Now})

	a := post(t, v.TokenURL(), nil, "grantType=Password&userName=admin&password=s3cret")
	if a.status != http.StatusOK {
		t.Fatalf("login: got %d, want 200 (%s)", a.status, a.raw)
	}
	wantKeys := []string{"accessTokenExpiresAt", "access_token", "refreshTokenExpiresAt", "refresh_token"}
	if got := keys(a.json); !slices.Equal(got, wantKeys) {
		t.Errorf("keys: got %v, want %v", got, wantKeys)
	}
	for _, k := range []string{"accessTokenExpiresAt", "refreshTokenExpiresAt"} {
		if s, _ := a.json[k].(string); !veeamTime.MatchString(s) {
			t.Errorf("%s: got %q, want seven fractional digits and Z", k, s)
		}
	}
	if got, want := a.json["accessTokenExpiresAt"], "2025-03-01T12:15:00.2500000Z"; got != want {
		t.Errorf("accessTokenExpiresAt: got %v, want %v", got, want)
	}
	if !strings.HasPrefix(a.raw, `{"access_token":"eyJ`) {
		t.Errorf("body not in the document's order: %s", a.raw)
	}
	rt := a.json["refresh_token"].(string)
	a = post(t, v.TokenURL(), nil, "grantType=RefreshToken&refreshToken="+rt)
	if a.status != http.StatusOK {
		t.Fatalf("refresh: got %d, want 200 (%s)", a.status, a.raw)
	}
	if v.Logins() != 1 || v.Refreshes() != 1 {
		t.Errorf("counters: got %d logins %d refreshes, want 1 and 1", v.Logins(), v.Refreshes())
	}

	checkRejections(t, v.Fake, v.TokenURL(), []rejection{
		{"snake_case refresh", nil, "grant_type=refresh_token&refresh_token=" + rt, 400, "InvalidRequest"},
		{"grant_type beside grantType", nil, "grantType=RefreshToken&refreshToken=" + rt + "&grant_type=refresh_token", 400, "InvalidRequest"},
		{"snake_case password", nil, "grantType=Password&username=admin&password=s3cret", 400, "InvalidRequest"},
		{"client_id", nil, "grantType=RefreshToken&refreshToken=" + rt + "&client_id=x", 400, "InvalidRequest"},
		{"Authorization header", map[string]string{"Authorization": "Basic eDp5"}, "grantType=RefreshToken&refreshToken=" + rt, 400, "InvalidRequest"},
		{"lowercase grant value", nil, "grantType=refresh_token&refreshToken=" + rt, 400, "InvalidRequest"},
		{"wrong password", nil, "grantType=Password&userName=admin&password=nope", 401, "Unauthorized"},
		{"unknown refresh token", nil, "grantType=RefreshToken&refreshToken=nope", 401, "Unauthorized"},
		{"JSON body", map[string]string{"Content-Type": "application/json"}, `{"grantType":"RefreshToken"}`, 400, "InvalidRequest"},
	})

	clk.Advance(14 * 24 * time.Hour)
	if a := post(t, v.TokenURL(), nil, "grantType=RefreshToken&refreshToken="+rt); a.status != http.StatusUnauthorized {
		t.Errorf("refresh after 14 days: got %d, want 401", a.status)
	}
}

func TestVeeamV1(t *testing.T) {
	v := NewVeeam(t, VeeamOptions{User: "admin", Password: "s3cret", V1: true, APIVersion: "1.2-rev0"})
	if !strings.HasSuffix(v.TokenURL(), "/api/v1/token") {
		t.Errorf("token URL: got %s, want …/api/v1/token", v.TokenURL())
	}
	hdr := map[string]string{"x-api-version": "1.2-rev0"}
	a := post(t, v.TokenURL(), hdr, "grant_type=password&username=admin&password=s3cret")
	if a.status != http.StatusOK {
		t.Fatalf("login: got %d, want 200 (%s)", a.status, a.raw)
	}
	if got, want := keys(a.json), []string{"access_token", "expires_in", "refresh_token", "token_type"}; !slices.Equal(got, want) {
		t.Errorf("keys: got %v, want %v", got, want)
	}
	rt := a.json["refresh_token"].(string)
	if a := post(t, v.TokenURL(), hdr, "grant_type=refresh_token&refresh_token="+rt); a.status != http.StatusOK {
		t.Errorf("refresh: got %d, want 200 (%s)", a.status, a.raw)
	}
	checkRejections(t, v.Fake, v.TokenURL(), []rejection{
		{"no x-api-version", nil, "grant_type=refresh_token&refresh_token=" + rt, 400, "InvalidApiVersion"},
		{"other x-api-version", map[string]string{"x-api-version": "1.0-rev1"}, "grant_type=refresh_token&refresh_token=" + rt, 400, "InvalidApiVersion"},
		{"camelCase", hdr, "grantType=RefreshToken&refreshToken=" + rt, 400, "InvalidRequest"},
		{"client_id", hdr, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=x", 400, "InvalidRequest"},
	})
	if a := post(t, v.URL()+"/api/oauth2/token", hdr, "grantType=RefreshToken&refreshToken="+rt); a.status != http.StatusNotFound {
		t.Errorf("old endpoint on a V1 fake: got %d, want 404", a.status)
	}
}

func TestPagero(t *testing.T) {
	clk := newClock()
	p := NewPagero(t, PageroOptions{ClientID: "client-id", Secret: "client-secret", Now: clk.Now})
	basic := map[string]string{"Authorization": "Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ="} // curl --user 'client-id:client-secret'
	rt := p.IssueRefreshToken("alice")
	if !regexp.MustCompile(`^_[A-Z0-9]{7}_[0-9a-f-]{36}$`).MatchString(rt) {
		t.Errorf("refresh token %q is not shaped like the document's", rt)
	}

	a := post(t, p.TokenURL(), basic, "grant_type=refresh_token&refresh_token="+rt)
	if a.status != http.StatusOK {
		t.Fatalf("refresh: got %d, want 200 (%s)", a.status, a.raw)
	}
	if !strings.HasPrefix(a.raw, `{"token_type":"bearer","access_token":"eyJ`) || !strings.HasSuffix(a.raw, `"scope":"","claims":"publicid","expires_in":600}`+"\n") {
		t.Errorf("body not shaped like the document's example: %s", a.raw)
	}
	rt2 := a.json["refresh_token"].(string)
	if rt2 == rt {
		t.Fatal("the refresh token was not rotated")
	}
	checkRejections(t, p.Fake, p.TokenURL(), []rejection{
		{"reused refresh token", basic, "grant_type=refresh_token&refresh_token=" + rt, 400, "invalid_grant"},
		{"credentials twice", basic, "grant_type=refresh_token&refresh_token=" + rt2 + "&client_id=client-id&client_secret=client-secret", 400, "invalid_request"},
		{"no credentials", nil, "grant_type=refresh_token&refresh_token=" + rt2, 401, "invalid_client"},
		{"client_id alone", nil, "grant_type=refresh_token&refresh_token=" + rt2 + "&client_id=client-id", 401, "invalid_client"},
		{"wrong secret", map[string]string{"Authorization": "Basic Y2xpZW50LWlkOm5vcGU="}, "grant_type=refresh_token&refresh_token=" + rt2, 401, "invalid_client"},
		{"extra scope field", basic, "grant_type=refresh_token&refresh_token=" + rt2 + "&scope=x", 400, "invalid_request"},
		{"JSON body", map[string]string{"Authorization": basic["Authorization"], "Content-Type": "application/json"}, "{}", 400, "invalid_request"},
	})

	// Body credentials work as well; the token rotates again.
	a = post(t, p.TokenURL(), nil, "grant_type=refresh_token&refresh_token="+rt2+"&client_id=client-id&client_secret=client-secret")
	if a.status != http.StatusOK {
		t.Fatalf("refresh with body credentials: got %d, want 200 (%s)", a.status, a.raw)
	}
	rt3 := a.json["refresh_token"].(string)

	// Rolling lifetime: each refresh starts three years again.
	clk.Advance(3*365*24*time.Hour - time.Hour)
	a = post(t, p.TokenURL(), basic, "grant_type=refresh_token&refresh_token="+rt3)
	if a.status != http.StatusOK {
		t.Fatalf("refresh near the end of three years: got %d, want 200 (%s)", a.status, a.raw)
	}
	rt4 := a.json["refresh_token"].(string)
	clk.Advance(2 * 365 * 24 * time.Hour)
	if a := post(t, p.TokenURL(), basic, "grant_type=refresh_token&refresh_token="+rt4); a.status != http.StatusOK {
		t.Errorf("refresh two years after the last: got %d, want 200 (%s)", a.status, a.raw)
	}
	late := p.IssueRefreshToken("bob")
	clk.Advance(3*366*24*time.Hour + time.Second)
	if a := post(t, p.TokenURL(), basic, "grant_type=refresh_token&refresh_token="+late); a.status != http.StatusBadRequest || a.json["error"] != "invalid_grant" {
		t.Errorf("refresh after three years: got %d %s, want 400 invalid_grant", a.status, a.raw)
	}
}

func TestOracle(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	clk := newClock()
	o := NewOracle(t, OracleOptions{ClientID: "app", Secret: "sec", PublicKey: key.Public(), Scope: "urn:opc:idm:__myscopes__ offline_access", Now: clk.Now})
	rt := o.IssueRefreshToken("alice")
	basic := map[string]string{"Authorization": "Basic YXBwOnNlYw==", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}

	a := post(t, o.TokenURL(), basic, "grant_type=refresh_token&refresh_token="+rt+"&scope=offline_access")
	if a.status != http.StatusOK {
		t.Fatalf("Basic with scope: got %d, want 200 (%s)", a.status, a.raw)
	}
	if a.json["scope"] != "offline_access" || a.json["refresh_token"] != rt || a.json["token_type"] != "Bearer" {
		t.Errorf("answer: got %s, want the narrowed scope and the same refresh token", a.raw)
	}

	assertion := func(mut func(c jwt.MapClaims), signWith *ecdsa.PrivateKey) string {
		c := jwt.MapClaims{"iss": "app", "sub": "app", "aud": o.TokenURL(), "exp": clk.Now().Add(time.Minute).Unix(), "jti": newUUID()}
		if mut != nil {
			mut(c)
		}
		s, err := jwt.NewWithClaims(jwt.SigningMethodES256, c).SignedString(signWith)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const typ = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
	body := func(as string) string {
		return "grant_type=refresh_token&refresh_token=" + rt + "&client_id=app&client_assertion_type=" + typ + "&client_assertion=" + as
	}
	good := assertion(nil, key)
	if a := post(t, o.TokenURL(), nil, body(good)); a.status != http.StatusOK {
		t.Fatalf("client assertion: got %d, want 200 (%s)", a.status, a.raw)
	}
	checkRejections(t, o.Fake, o.TokenURL(), []rejection{
		{"replayed assertion", nil, body(good), 401, "invalid_client"},
		{"other key", nil, body(assertion(nil, other)), 401, "invalid_client"},
		{"wrong iss", nil, body(assertion(func(c jwt.MapClaims) { c["iss"] = "evil" }, key)), 401, "invalid_client"},
		{"wrong sub", nil, body(assertion(func(c jwt.MapClaims) { c["sub"] = "alice" }, key)), 401, "invalid_client"},
		{"wrong aud", nil, body(assertion(func(c jwt.MapClaims) { c["aud"] = "https://elsewhere/token" }, key)), 401, "invalid_client"},
		{"expired", nil, body(assertion(func(c jwt.MapClaims) { c["exp"] = clk.Now().Add(-time.Minute).Unix() }, key)), 401, "invalid_client"},
		{"no exp", nil, body(assertion(func(c jwt.MapClaims) { delete(c, "exp") }, key)), 401, "invalid_client"},
		{"lives a day", nil, body(assertion(func(c jwt.MapClaims) { c["exp"] = clk.Now().Add(24 * time.Hour).Unix() }, key)), 401, "invalid_client"},
		{"no jti", nil, body(assertion(func(c jwt.MapClaims) { delete(c, "jti") }, key)), 401, "invalid_client"},
		{"no client_id", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_assertion_type=" + typ + "&client_assertion=" + assertion(nil, key), 401, "invalid_client"},
		{"wrong assertion type", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=app&client_assertion_type=saml&client_assertion=" + assertion(nil, key), 401, "invalid_client"},
		{"client_id alone for a confidential client", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=app", 401, "invalid_client"},
		{"client_secret in the body", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=app&client_secret=sec", 401, "invalid_client"},
		{"client_id beside Basic", basic, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=app", 400, "invalid_request"},
		{"wider scope", basic, "grant_type=refresh_token&refresh_token=" + rt + "&scope=admin", 400, "invalid_scope"},
		{"other charset", map[string]string{"Authorization": basic["Authorization"], "Content-Type": "application/x-www-form-urlencoded;charset=ISO-8859-1"}, "grant_type=refresh_token&refresh_token=" + rt, 400, "invalid_request"},
		{"unknown refresh token", basic, "grant_type=refresh_token&refresh_token=nope", 400, "invalid_grant"},
	})
}

func TestOraclePublic(t *testing.T) {
	o := NewOracle(t, OracleOptions{ClientID: "app", Public: true, OmitRefreshToken: true})
	rt := o.IssueRefreshToken("alice")
	a := post(t, o.TokenURL(), nil, "grant_type=refresh_token&refresh_token="+rt+"&client_id=app")
	if a.status != http.StatusOK {
		t.Fatalf("public client: got %d, want 200 (%s)", a.status, a.raw)
	}
	if _, ok := a.json["refresh_token"]; ok {
		t.Errorf("refresh_token: got one, want none (OmitRefreshToken)")
	}
	checkRejections(t, o.Fake, o.TokenURL(), []rejection{
		{"Basic for a client without secret", map[string]string{"Authorization": "Basic YXBwOg=="}, "grant_type=refresh_token&refresh_token=" + rt, 401, "invalid_client"},
		{"other client", nil, "grant_type=refresh_token&refresh_token=" + rt + "&client_id=other", 401, "invalid_client"},
	})
}

func TestFaultsAndRecords(t *testing.T) {
	p := NewPagero(t, PageroOptions{ClientID: "c", Secret: "s"})
	rt := p.IssueRefreshToken("alice")
	p.FailNext(1, StatusFault(http.StatusServiceUnavailable))
	p.FailNext(1, HTMLFault(http.StatusBadGateway))
	body := "grant_type=refresh_token&refresh_token=" + rt + "&client_id=c&client_secret=s"
	if a := post(t, p.TokenURL(), nil, body); a.status != http.StatusServiceUnavailable || a.raw != "" {
		t.Errorf("first: got %d %q, want 503 and no body", a.status, a.raw)
	}
	if a := post(t, p.TokenURL(), nil, body); a.status != http.StatusBadGateway || !strings.Contains(a.raw, "<title>502 Bad Gateway</title>") {
		t.Errorf("second: got %d %q, want an HTML 502", a.status, a.raw)
	}
	a := post(t, p.TokenURL(), nil, body)
	if a.status != http.StatusOK {
		t.Fatalf("third: got %d, want 200 (%s)", a.status, a.raw)
	}
	next := a.json["refresh_token"].(string)
	if got := p.Refreshes(); got != 1 {
		t.Errorf("refreshes: got %d, want 1", got)
	}
	if got := p.Rejections(); got != 0 {
		t.Errorf("rejections: got %d, want 0 (faults are not rejections)", got)
	}
	rs := p.Requests()
	if len(rs) != 3 || rs[2].Body != body || rs[2].Form().Get("client_id") != "c" {
		t.Errorf("requests: got %+v, want three with the body recorded", rs)
	}
	p.ExpireRefreshTokens()
	if a := post(t, p.TokenURL(), nil, "grant_type=refresh_token&refresh_token="+next+"&client_id=c&client_secret=s"); a.status != http.StatusBadRequest {
		t.Errorf("after ExpireRefreshTokens: got %d, want 400", a.status)
	}
	if got := p.LastRejection(); !strings.Contains(got, "invalid or expired") {
		t.Errorf("last rejection: got %q, want the expired token's", got)
	}
}
