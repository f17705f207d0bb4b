package agent_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// TestDetailsAndSubscribe covers what the tray and the windows use beyond
// the CLI's API: change notifications, and the token details (never a
// token, on the socket only).
func TestDetailsAndSubscribe(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	profile := uniqueName("desk")
	f := newFixture(t, p, profile)
	a := f.start()
	defer a.Close()
	cl := apiclient.NewClient(a.Socket())
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

	// The details are not served on the TCP port.
	resp, err := http.Get("http://" + a.TCPAddr() + "/v1/details/" + profile)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("TCP /v1/details: got HTTP %d, want 404", resp.StatusCode)
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
