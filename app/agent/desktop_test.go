package agent_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/agent"
	"github.com/tokentray/tokentray/app/api"
	"github.com/tokentray/tokentray/internal/testprovider"
)

// TestDetailsSecretAndSubscribe covers what the tray and the windows use
// beyond the CLI's API: change notifications, the token details (never a
// token) and storing a client secret, both on the socket only.
func TestDetailsSecretAndSubscribe(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	profile := uniqueName("desk")
	f := newFixture(t, p, profile)
	a := f.start()
	defer a.Close()
	t.Cleanup(func() { f.store.Delete(context.Background(), agent.SecretAccount(profile)) })
	cl := api.NewClient(a.Socket())
	ctx := context.Background()

	changes, stop := a.Subscribe()
	defer stop()
	drain(changes)

	d, err := cl.Details(ctx, profile)
	if err != nil || d.Format != "none" {
		t.Fatalf("details before login: got %+v, %v, want format none", d, err)
	}
	if err := cl.Login(ctx, profile, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("no change notification after a login")
	}

	tok, err := cl.Token(ctx, profile, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, err = cl.Details(ctx, profile)
	if err != nil {
		t.Fatal(err)
	}
	if d.Format != "opaque" || d.Length != len(tok.AccessToken) || d.ExpiresAt.IsZero() || d.IssuedAt.IsZero() || d.Status.LastRefresh.IsZero() {
		t.Errorf("details: got %+v, want an opaque token with its times", d)
	}
	b, _ := json.Marshal(d)
	for what, secret := range map[string]string{"access token": tok.AccessToken, "refresh token": storedRefreshToken(t, f.store, profile)} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the details hold the %s", what)
		}
	}

	if err := cl.SetSecret(ctx, profile, "s3cret-value"); err != nil {
		t.Fatalf("SetSecret: %v", err)
	}
	if v, err := f.store.Get(ctx, agent.SecretAccount(profile)); err != nil || v != "s3cret-value" {
		t.Errorf("the keyring holds %q, %v; want the secret", v, err)
	}
	// The profile started over from the store: still logged in.
	if _, err := cl.Token(ctx, profile, 0); err != nil {
		t.Errorf("token after SetSecret: %v", err)
	}
	if err := cl.SetSecret(ctx, "nope", "x"); err == nil {
		t.Error("SetSecret of an unknown profile: got no error")
	}
	if strings.Contains(f.logs.String(), "s3cret-value") {
		t.Error("the secret is in the agent's log")
	}

	// Neither is served on the TCP port.
	for _, path := range []string{"/v1/details/" + profile, "/v1/secret/" + profile} {
		resp, err := http.Post("http://"+a.TCPAddr()+path, "application/json", strings.NewReader(`{"secret":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("TCP %s: got HTTP %d, want 404", path, resp.StatusCode)
		}
	}
}

func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
