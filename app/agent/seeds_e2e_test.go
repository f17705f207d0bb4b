package agent_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/seedfake"
)

// The agent end to end against a fake of each provider (seedfake, after
// their public documentation; docs/providers.md): the first refresh token by import or password
// login, several refreshes, rotation, the refresh token's expiry, error
// pages, and a restart from the keyring. Access tokens live 3 s so that
// the scheduler refreshes on its own too.

const seedAccessTTL = 3 * time.Second

// sentRefreshTokens lists the refresh tokens a fake was sent, in order,
// whatever the dialect calls the field.
func sentRefreshTokens(f *seedfake.Fake) []string {
	var out []string
	for _, r := range f.Requests() {
		form := r.Form()
		for _, k := range []string{"refresh_token", "refreshToken"} {
			if v := form.Get(k); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkRecovers injects faults at the token endpoint and checks that the
// agent reports each failure clearly, backs off, and recovers on its own
// once the provider answers again.
func checkRecovers(t *testing.T, pa *profileAgent, f *seedfake.Fake) {
	t.Helper()
	ctx := context.Background()

	// A proxy's HTML error page: a clear message, no markup, no script.
	// Each fault follows a refresh, so that the scheduler's next one is
	// over a second away and the fault meets the request made here.
	pa.refresh(1)
	f.FailNext(1, seedfake.HTMLFault(502))
	_, err := pa.cl.Refresh(ctx, pa.profile)
	msg := apiError(t, err).Message
	for _, want := range []string{"HTTP 502", "an HTML page", "502 Bad Gateway"} {
		if !strings.Contains(msg, want) {
			t.Errorf("HTML error page: got %q, want it to contain %q", msg, want)
		}
	}
	for _, bad := range []string{"<", "dataLayer", "font-family"} {
		if strings.Contains(msg, bad) {
			t.Errorf("HTML error page: got %q, which shows the page's %q", msg, bad)
		}
	}
	waitFor(t, "recovery after the HTML page", func() bool { st := pa.status(); return st.Failures == 0 && st.LastError == "" })

	// Two 503s without a body: retried with backoff, then recovered.
	pa.refresh(1)
	before := len(f.Requests())
	f.FailNext(2, seedfake.StatusFault(503))
	_, err = pa.cl.Refresh(ctx, pa.profile)
	if ae := apiError(t, err); !strings.Contains(ae.Message, "HTTP 503") {
		t.Errorf("503: got %q, want the status", ae.Message)
	}
	if st := pa.status(); st.Failures != 1 || !strings.Contains(st.LastError, "503") || st.NextRefresh.IsZero() {
		t.Errorf("status after a 503: got failures %d, last error %q, next %v; want 1, the 503, a retry", st.Failures, st.LastError, st.NextRefresh)
	}
	waitFor(t, "recovery after two 503s", func() bool { st := pa.status(); return st.Failures == 0 && st.LastError == "" })
	// The 503, one retry with another, the one that worked; perhaps a
	// scheduled refresh since, but no retry storm.
	if got := len(f.Requests()) - before; got < 3 || got > 4 {
		t.Errorf("requests for two 503s and a recovery: got %d, want 3", got)
	}
}

// checkExpiry expires every refresh token at the fake and checks that the
// agent asks for a login with the provider's message, once, with no retry.
func checkExpiry(t *testing.T, pa *profileAgent, f *seedfake.Fake, wantMsg string) {
	t.Helper()
	ctx := context.Background()
	pa.refresh(1)
	f.ExpireRefreshTokens()
	_, err := pa.cl.Refresh(ctx, pa.profile)
	ae := apiError(t, err)
	if ae.Status != 401 || ae.Code != "login_required" || !strings.Contains(ae.Message, wantMsg) {
		t.Fatalf("refresh with an expired refresh token: got %d %s %q, want 401 login_required with %q", ae.Status, ae.Code, ae.Message, wantMsg)
	}
	requests := len(f.Requests())
	// Readers get the reason, and nothing is sent: no retry loop.
	_, err = pa.cl.Token(ctx, pa.profile, 0)
	if ae := apiError(t, err); ae.Code != "login_required" || !strings.Contains(ae.Message, wantMsg) || !strings.Contains(ae.Message, "tokentray login "+pa.profile) {
		t.Errorf("token after expiry: got %s %q, want login_required, the provider's message and what to run", ae.Code, ae.Message)
	}
	st := pa.status()
	if st.State != apiclient.LoginRequired || !st.NextRefresh.IsZero() {
		t.Errorf("status: got %s, next refresh %v; want login required with nothing scheduled", st.State, st.NextRefresh)
	}
	time.Sleep(2 * seedAccessTTL) // longer than a token lived: the scheduler would have run by now
	if got := len(f.Requests()); got != requests {
		t.Errorf("requests after login became required: got %d more, want none", got-requests)
	}
	out, errOut, code := pa.run("", "token", pa.profile)
	if code != 1 || out != "" || !strings.Contains(errOut, wantMsg) {
		t.Errorf("tokentray token: got exit %d, stdout %q, stderr %q; want 1, nothing, the provider's message", code, out, errOut)
	}
}

func TestDigiRunnerEndToEnd(t *testing.T) {
	t.Parallel()
	const secret = "tsp123abcd-e2e"
	f := seedfake.NewDigiRunner(t, seedfake.DigiRunnerOptions{ClientID: "tspclient", ClientPassword: secret,
		AccessTTL: seedAccessTTL, RefreshTTL: 10 * 24 * time.Hour})
	pa := newProfileAgent(t, "digirunner", fmt.Sprintf("preset = \"digirunner\"\ndomain = %q\nclient_id = \"tspclient\"\n", f.URL()))
	rt := f.IssueRefreshToken("tspuser")

	// The import before the secret: a clear message, and the token is kept.
	_, errOut, code := pa.run(rt+"\n", "login", "--refresh-token-stdin", pa.profile)
	if code != 1 || !strings.Contains(errOut, "has no client secret: set it with `tokentray secret set "+pa.profile+"`") {
		t.Fatalf("import without a secret: got exit %d, %q", code, errOut)
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("the agent sent %d requests without a client secret, want 0", n)
	}
	// A wrong secret: refused by the gateway, still no login.
	out := pa.mustRun("wrong-secret\n", "secret", "set", pa.profile)
	if !strings.Contains(out, "Stored the client secret") || strings.Contains(out, "works again") {
		t.Fatalf("secret set with a wrong secret: got %q", out)
	}
	if st := pa.status(); st.State != apiclient.LoginRequired || !strings.Contains(st.Reason, "Bad client credentials") {
		t.Fatalf("after a wrong secret: got %s %q, want login required: Bad client credentials", st.State, st.Reason)
	}
	// The right one: the cached client is dropped, and the imported refresh
	// token (never accepted) is used without a new import.
	out = pa.mustRun(secret+"\n", "secret", "set", pa.profile)
	if !strings.Contains(out, "works again without a new login") {
		t.Fatalf("secret set with the right secret: got %q", out)
	}
	last, _ := f.LastRequest()
	if got, want := last.Header.Get("Authorization"), seedfake.DigiRunnerAuthorization("tspclient", secret); got != want {
		t.Errorf("Authorization: got %q, want %q", got, want)
	}

	pa.refresh(3)
	n := f.Refreshes()
	waitFor(t, "a scheduled refresh", func() bool { return f.Refreshes() > n })
	access := []string{pa.token()}

	// The gateway's own fields, in status --json.
	extra, _ := pa.statusJSON()["extra"].(map[string]any)
	for _, k := range []string{"jti", "node", "org_id", "stime"} {
		if extra[k] == nil {
			t.Errorf("status --json extra: no %s in %v", k, extra)
		}
	}
	if extra["node"] != "executor1" || extra["org_id"] != "100000" {
		t.Errorf("status --json extra: got %v", extra)
	}
	// The refresh token's exp does not move: the login ends in 10 days,
	// which status says, and the log warns of once.
	st := pa.status()
	if st.RefreshRolling || st.RefreshExpiresAt.Sub(time.Now()) > 10*24*time.Hour || st.RefreshExpiresAt.Sub(time.Now()) < 9*24*time.Hour {
		t.Errorf("refresh expiry: got %v rolling %v, want in 10 days, fixed", st.RefreshExpiresAt, st.RefreshRolling)
	}
	if out := pa.mustRun("", "status"); !strings.Contains(out, "login needed in 9 days") {
		t.Errorf("status: got %q, want login needed in 9 days", out)
	}
	if n := strings.Count(pa.logs.String(), "the refresh token expires soon"); n != 1 {
		t.Errorf("got %d warnings about the refresh token's expiry, want 1", n)
	}

	checkRecovers(t, pa, f.Fake)

	// A restart serves from the keyring and refreshes with the stored secret.
	pa.restart()
	access = append(access, pa.token())
	pa.refresh(1)
	access = append(access, pa.token())

	checkExpiry(t, pa, f.Fake, "Invalid refresh token (expired)")

	logs := pa.logs.String()
	secrets := append(append(sentRefreshTokens(f.Fake), access...), secret, base64.StdEncoding.EncodeToString([]byte(secret)))
	noSecrets(t, "the agent's log", logs, secrets...)
	noSecrets(t, "the status", fmt.Sprint(pa.statusJSON()), secrets...)
}

func TestVeeamEndToEnd(t *testing.T) {
	t.Parallel()
	password := uniqueName("pw-Veeam")
	f := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: password, AccessTTL: seedAccessTTL, RefreshTTL: 10 * 24 * time.Hour})
	pa := newProfileAgent(t, "veeam", fmt.Sprintf("preset = \"veeam\"\ndomain = %q\nusername = \"admin\"\n", f.URL()))

	// A wrong password: the appliance's message, and nothing kept.
	_, errOut, code := pa.run("not-"+password+"\n", "login", pa.profile)
	if code != 1 || !strings.Contains(errOut, "invalid user name or password") {
		t.Fatalf("login with a wrong password: got exit %d, %q", code, errOut)
	}
	stdout, errOut, code := pa.run(password+"\n", "login", pa.profile)
	if code != 0 || !strings.Contains(stdout, "Logged in to "+pa.profile) {
		t.Fatalf("password login: exit %d\n%s\n%s", code, stdout, errOut)
	}
	if f.Logins() != 1 {
		t.Fatalf("logins at the appliance: got %d, want 1", f.Logins())
	}
	login := f.Requests()[1].Form()
	if login.Get("grantType") != "Password" || login.Get("userName") != "admin" || login.Get("password") != password {
		t.Fatalf("the login request: got %v", login)
	}

	// Rotation: every refresh brings a new refresh token, and the keyring
	// always holds the newest.
	for range 3 {
		pa.refresh(1)
		sent := sentRefreshTokens(f.Fake)
		if stored := storedRefreshToken(t, pa.store, pa.profile); stored == sent[len(sent)-1] {
			t.Errorf("the keyring still holds the refresh token just used")
		}
	}
	n := f.Refreshes()
	waitFor(t, "a scheduled refresh", func() bool { return f.Refreshes() > n })
	// refreshTokenExpiresAt moves with every refresh: a rolling expiry.
	st := pa.status()
	if !st.RefreshRolling || st.RefreshExpiresAt.Sub(time.Now()) < 9*24*time.Hour {
		t.Errorf("refresh expiry: got %v rolling %v, want about 10 days, rolling", st.RefreshExpiresAt, st.RefreshRolling)
	}
	// accessTokenExpiresAt, or the JWT's own exp where that is earlier
	// (whole seconds against the timestamp's fraction): never a default.
	if st.ExpirySource != "expires_at" && st.ExpirySource != "jwt" {
		t.Errorf("access token expiry from %q, want accessTokenExpiresAt (expires_at) or the JWT's exp", st.ExpirySource)
	}
	if out := pa.mustRun("", "status"); !strings.Contains(out, "login needed if the agent is off for 9 days") {
		t.Errorf("status: got %q", out)
	}

	checkRecovers(t, pa, f.Fake)
	pa.restart()
	access := []string{pa.token()}
	pa.refresh(1)
	access = append(access, pa.token())
	checkExpiry(t, pa, f.Fake, "the refresh token has expired")

	// The password went to the appliance once, and nowhere else.
	rec, err := pa.store.Get(context.Background(), pa.profile)
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "the keyring item", rec, password)
	dump := keyringDump(t)
	if realSecretService() && !strings.Contains(dump, pa.profile) {
		t.Errorf("secret-tool shows no item of %s; the check below would prove nothing:\n%s", pa.profile, dump)
	}
	noSecrets(t, "the keyring", dump, password)
	noSecrets(t, "the agent's log", pa.logs.String(), append(append(sentRefreshTokens(f.Fake), access...), password)...)
	noSecrets(t, "the command line's output", stdout+errOut, password)
	for _, r := range f.Requests()[2:] {
		if strings.Contains(r.Body, password) {
			t.Errorf("the password was sent again: %s %s", r.Method, r.Path)
		}
	}
}

// TestVeeamV1EndToEnd is the newer api/v1/token: RFC 6749 field names and
// the x-api-version header on every request.
func TestVeeamV1EndToEnd(t *testing.T) {
	t.Parallel()
	password := uniqueName("pw-v1")
	f := seedfake.NewVeeam(t, seedfake.VeeamOptions{User: "admin", Password: password, AccessTTL: seedAccessTTL, V1: true, APIVersion: "1.2-rev0"})
	pa := newProfileAgent(t, "veeam-v1", fmt.Sprintf("preset = \"veeam-v1\"\ndomain = %q\napi_version = \"1.2-rev0\"\n", f.URL()))
	pa.mustRun(password+"\n", "login", "--username", "admin", pa.profile)
	pa.refresh(2)
	if f.Rejections() != 0 || f.Logins() != 1 || f.Refreshes() != 2 {
		t.Fatalf("got %d rejections (%s), %d logins, %d refreshes; want 0, 1, 2", f.Rejections(), f.LastRejection(), f.Logins(), f.Refreshes())
	}
	for _, r := range f.Requests() {
		if r.Header.Get("x-api-version") != "1.2-rev0" {
			t.Errorf("a request without x-api-version 1.2-rev0: %v", r.Header)
		}
	}
	pa.restart()
	pa.refresh(1)
	noSecrets(t, "the agent's log", pa.logs.String(), password)
}

func TestPageroEndToEnd(t *testing.T) {
	t.Parallel()
	const clientID, secret = "tokentray-client", "pagero-secret-e2e"
	f := seedfake.NewPagero(t, seedfake.PageroOptions{ClientID: clientID, Secret: secret, AccessTTL: seedAccessTTL})
	// The preset's endpoint is Pagero's own; the fake's replaces it.
	pa := newProfileAgent(t, "pagero", fmt.Sprintf("preset = \"pagero\"\nclient_id = %q\ntoken_endpoint = %q\nrefresh_lifetime = \"26280h\"\n", clientID, f.TokenURL()))
	pa.mustRun(secret+"\n", "secret", "set", pa.profile)
	out := pa.mustRun(f.IssueRefreshToken("alice")+"\n", "login", "--refresh-token-stdin", pa.profile)
	if !strings.Contains(out, "Imported the refresh token") {
		t.Fatalf("import: got %q", out)
	}

	// Single-use refresh tokens under load: readers asking for tokens that
	// outlive the current one, explicit refreshes, and the scheduler, all
	// at once. One refresh at a time, each with the newest token.
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var access []string
	for i := range 8 {
		wg.Go(func() {
			for range 5 {
				if i%2 == 0 {
					if _, err := pa.cl.Refresh(ctx, pa.profile); err != nil {
						t.Errorf("refresh: %v", err)
					}
					continue
				}
				tok, err := pa.cl.Token(ctx, pa.profile, time.Second)
				if err != nil {
					t.Errorf("token: %v", err)
					continue
				}
				mu.Lock()
				access = append(access, tok.AccessToken)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	n := f.Refreshes()
	waitFor(t, "a scheduled refresh", func() bool { return f.Refreshes() > n })
	sent := sentRefreshTokens(f.Fake)
	seen := map[string]bool{}
	for _, rt := range sent {
		if seen[rt] {
			t.Errorf("a refresh token was sent twice")
		}
		seen[rt] = true
	}
	if f.Rejections() != 0 || len(sent) < 5 {
		t.Fatalf("got %d rejections (%s) in %d refreshes, want 0 in at least 5", f.Rejections(), f.LastRejection(), len(sent))
	}

	// Pagero's documented three-year rolling lifetime, from the config.
	st := pa.statusJSON()
	if st["refresh_rolling"] != true || st["extra"].(map[string]any)["claims"] != "publicid" {
		t.Errorf("status --json: got %v, want a rolling refresh expiry and claims: publicid", st)
	}
	if exp := pa.status().RefreshExpiresAt; exp.Sub(time.Now()) < 26279*time.Hour {
		t.Errorf("refresh expiry: got %v, want three years from the last refresh", exp)
	}

	checkRecovers(t, pa, f.Fake)
	pa.restart()
	pa.refresh(2)
	// The chain never broke: the fake refused nothing, so no token it had
	// consumed came back.
	if f.Rejections() != 0 {
		t.Errorf("the chain broke: %d rejections, the last %q", f.Rejections(), f.LastRejection())
	}
	checkExpiry(t, pa, f.Fake, "The refresh token is invalid or expired")
	noSecrets(t, "the agent's log", pa.logs.String(), append(append(sentRefreshTokens(f.Fake), access...), secret)...)
}
