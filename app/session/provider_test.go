package session_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/app/store"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/testing/memstore"
	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

// counting is a session.Provider that counts refreshes by outcome.
type counting struct {
	*auth.Client
	ok, failed atomic.Int64
	mu         sync.Mutex // guards errs
	errs       []string
}

func (c *counting) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	t, err := c.Client.Refresh(ctx, rt)
	if err != nil {
		c.failed.Add(1)
		c.mu.Lock()
		c.errs = append(c.errs, err.Error())
		c.mu.Unlock()
		return nil, err
	}
	c.ok.Add(1)
	return t, nil
}

// testStore is the real Secret Service under scripts/with-desktop.sh, else
// memory.
func testStore(t *testing.T) store.Store {
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "" {
		t.Log("no TOKENTRAY_TEST_SECRET_SERVICE: the store is in memory (run under scripts/with-desktop.sh for the real keyring)")
		return &memstore.Store{}
	}
	return store.Keyring{}
}

// loggedInAt logs a session in at node-oidc-provider through its scripted
// browser.
func loggedInAt(t *testing.T, p *testprovider.Provider, st store.Store, name string) (*session.Session, *counting) {
	t.Helper()
	cl := &counting{Client: auth.NewClient(auth.Config{Issuer: p.Issuer, ClientID: testprovider.DefaultClientID,
		Scopes:    []string{"openid", "offline_access"},
		Endpoints: auth.Endpoints{AuthorizationURL: p.AuthURL(), TokenURL: p.TokenURL(), RevocationURL: p.RevocationURL()}},
		&http.Client{Timeout: 30 * time.Second}, nil)}
	s := session.New(session.Options{Name: name, Store: st, Rand: rand.Float64,
		Connect: func(context.Context) (session.Provider, error) { return cl, nil },
		Login:   auth.LoginOptions{Browser: p.Browser("alice")}})
	t.Cleanup(func() {
		s.Close()
		st.Delete(context.Background(), name)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Login(ctx, false, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	return s, cl
}

// Twenty readers on short-lived tokens, each presenting every token it is
// served to the provider (introspection): none may be refused, the chain
// must rotate, and no refresh may fail.
func TestReadersOnShortTokensAreServedLiveTokens(t *testing.T) {
	if testing.Short() {
		t.Skip("15 s per lifetime against node-oidc-provider")
	}
	for _, ttl := range []time.Duration{4 * time.Second, 2 * time.Second} {
		t.Run(ttl.String(), func(t *testing.T) {
			p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: ttl})
			s, cl := loggedInAt(t, p, testStore(t), fmt.Sprintf("readers-%d-%d", ttl/time.Second, os.Getpid()))
			const readers = 20
			var reads, rejected, failed, belowMargin atomic.Int64
			var first atomic.Value
			end := time.Now().Add(15 * time.Second)
			var wg sync.WaitGroup
			for range readers {
				wg.Go(func() {
					for time.Now().Before(end) {
						ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
						tok, err := s.Token(ctx, 0)
						cancel()
						reads.Add(1)
						if err != nil {
							failed.Add(1)
							first.CompareAndSwap(nil, "read: "+err.Error())
							continue
						}
						left := time.Until(tok.Expiry)
						// The margin of the token's lifetime as the session knows it
						// (from the sending, expiry in whole seconds): half of it here.
						if c, ok := s.Current(); ok && c.AccessToken == tok.AccessToken {
							if margin := c.Expiry.Sub(c.Received) / 2; left < margin-20*time.Millisecond {
								belowMargin.Add(1)
								first.CompareAndSwap(nil, fmt.Sprintf("served with %v left, margin %v", left, margin))
							}
						}
						active, err := p.Introspect(testprovider.DefaultClientID, "", tok.AccessToken)
						if err != nil || !active {
							rejected.Add(1)
							first.CompareAndSwap(nil, fmt.Sprintf("introspection: active=%v err=%v", active, err))
						}
						time.Sleep(100*time.Millisecond + rand.N(100*time.Millisecond))
					}
				})
			}
			wg.Wait()
			t.Logf("%v tokens: %d reads, %d rejected by the provider, %d failed, %d below the margin, %d rotations, %d failed grants",
				ttl, reads.Load(), rejected.Load(), failed.Load(), belowMargin.Load(), cl.ok.Load(), cl.failed.Load())
			if rejected.Load() != 0 || failed.Load() != 0 || belowMargin.Load() != 0 {
				t.Errorf("got %d rejected, %d failed, %d below the margin, want 0 (first: %v)", rejected.Load(), failed.Load(), belowMargin.Load(), first.Load())
			}
			if cl.ok.Load() < 3 {
				t.Errorf("got %d rotations, want at least 3", cl.ok.Load())
			}
			if cl.failed.Load() != 0 {
				t.Errorf("got %d failed grants, want 0: %v", cl.failed.Load(), cl.errs)
			}
		})
	}
}

// lockKeyring locks the test desktop's login collection.
func lockKeyring(t *testing.T) {
	t.Helper()
	out, err := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
		"org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login").CombinedOutput()
	if err != nil {
		t.Fatalf("locking the keyring: %v: %s", err, out)
	}
}

// unlockKeyring unlocks the login collection with the test desktop's
// password through gnome-keyring's own interface for this (the Secret
// Service's Unlock would need a person at a prompt).
func unlockKeyring(t *testing.T) {
	t.Helper()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var sess dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &sess); err != nil {
		t.Fatalf("open session: %v", err)
	}
	secret := struct {
		Session     dbus.ObjectPath
		Params      []byte
		Value       []byte
		ContentType string
	}{sess, []byte{}, []byte("tokentray-test"), "text/plain"} // scripts/with-desktop.sh's password
	if err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0,
		dbus.ObjectPath("/org/freedesktop/secrets/collection/login"), secret).Err; err != nil {
		t.Fatalf("unlocking the keyring: %v", err)
	}
}

// The real gnome-keyring locked while the chain rotates, then unlocked:
// status says the login is not saved meanwhile, the newest refresh token
// is saved once it is back, and the chain survives a restart from it.
func TestLockedKeyringKeepsTheChain(t *testing.T) {
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "" {
		t.Skip("needs the real Secret Service: run under scripts/with-desktop.sh")
	}
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: 2 * time.Second})
	name := fmt.Sprintf("locked-%d", os.Getpid())
	st := store.Keyring{}
	s, cl := loggedInAt(t, p, st, name)
	defer unlockKeyring(t)

	lockKeyring(t)
	for range 3 {
		if err := s.Refresh(context.Background()); err != nil {
			t.Fatalf("refresh with the keyring locked: %v", err)
		}
	}
	status := s.Status()
	t.Logf("status with the keyring locked: %s", status.Summary(time.Now()))
	if status.Unsaved != session.NotSaved || !strings.Contains(status.Summary(time.Now()), "not saved: keyring unavailable") {
		t.Errorf("status: got %q, want %q", status.Summary(time.Now()), session.NotSaved)
	}

	unlockKeyring(t)
	deadline := time.Now().Add(40 * time.Second) // the save retries back off to 30 s at most
	for s.Status().Unsaved != "" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if got := s.Status().Unsaved; got != "" {
		t.Fatalf("after unlocking: got %q, want the token saved", got)
	}
	// Keep rotating a while, then restart from the store alone.
	for range 2 {
		if err := s.Refresh(context.Background()); err != nil {
			t.Fatalf("refresh after unlocking: %v", err)
		}
	}
	s.Close()
	s2 := session.New(session.Options{Name: name, Store: st, Connect: func(context.Context) (session.Provider, error) { return cl, nil }})
	defer s2.Close()
	if err := s2.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s2.Refresh(context.Background()); err != nil {
		var ae *auth.Error
		errors.As(err, &ae)
		t.Fatalf("refresh after a restart from the store: %v (the chain was lost)", err)
	}
	if cl.failed.Load() != 0 {
		t.Errorf("got %d failed grants, want 0: %v", cl.failed.Load(), cl.errs)
	}
}

// The profile's item deleted from the real gnome-keyring while the session
// runs (secret-tool clear, as a person or a keyring app would): noticed on
// status and written back at once.
func TestDeletedKeyringItemIsWrittenBack(t *testing.T) {
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "" {
		t.Skip("needs the real Secret Service: run under scripts/with-desktop.sh")
	}
	p := testprovider.Start(t, testprovider.Options{AccessTokenTTL: time.Minute})
	name := fmt.Sprintf("deleted-%d", os.Getpid())
	s, _ := loggedInAt(t, p, store.Keyring{}, name)
	lookup := func() string {
		out, _ := exec.Command("secret-tool", "lookup", "service", store.Service, "username", name).Output()
		return string(out)
	}
	if lookup() == "" {
		t.Fatal("the login is not in the keyring")
	}
	if out, err := exec.Command("secret-tool", "clear", "service", store.Service, "username", name).CombinedOutput(); err != nil {
		t.Fatalf("secret-tool clear: %v: %s", err, out)
	}
	if lookup() != "" {
		t.Fatal("secret-tool clear left the item")
	}
	time.Sleep(2 * time.Second) // status checks the store at most every 2 s
	s.Status()
	deadline := time.Now().Add(10 * time.Second)
	for lookup() == "" && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if lookup() == "" {
		t.Fatalf("the item was not written back; status: %s", s.Status().Summary(time.Now()))
	}
	// A new session from the store alone is logged in.
	s2 := session.New(session.Options{Name: name, Store: store.Keyring{}})
	defer s2.Close()
	if err := s2.Restore(context.Background()); err != nil || s2.Status().State != session.Valid {
		t.Errorf("restored: got %v, %v, want valid", s2.Status().State, err)
	}
}
