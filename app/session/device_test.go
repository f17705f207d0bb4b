package session

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokentray/tokentray/auth"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// deviceFake is a provider with the device grant: the code is confirmed
// when release is closed.
type deviceFake struct {
	*fakeProvider
	release    chan struct{}
	authorized atomic.Int32
	sleepSeen  atomic.Bool
}

func (d *deviceFake) DeviceAuthorize(context.Context) (*auth.DeviceAuthorization, error) {
	d.authorized.Add(1)
	return &auth.DeviceAuthorization{DeviceCode: "secret-device-code", UserCode: "WDJB-MJHT", VerificationURI: "https://idp.example/device",
		VerificationURIComplete: "https://idp.example/device?user_code=WDJB-MJHT", ExpiresAt: time.Now().Add(10 * time.Minute), Interval: 5 * time.Second}, nil
}

func (d *deviceFake) PollDevice(ctx context.Context, da *auth.DeviceAuthorization, sleep func(context.Context, time.Duration) error) (*auth.Token, error) {
	if sleep != nil {
		d.sleepSeen.Store(true)
	}
	select {
	case <-d.release:
		return d.fakeProvider.Login(ctx, auth.LoginOptions{})
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func deviceSession(t *testing.T, p Provider) (*Session, *memstore.Store) {
	st := &memstore.Store{}
	s := New(Options{Name: "work", Store: st, Connect: func(context.Context) (Provider, error) { return p, nil },
		Sleep: func(context.Context, time.Duration) error { return nil }})
	t.Cleanup(s.Close)
	return s, st
}

func TestDeviceLoginIsJoinedAndSaved(t *testing.T) {
	d := &deviceFake{fakeProvider: &fakeProvider{life: time.Hour, current: "rt-0"}, release: make(chan struct{})}
	s, st := deviceSession(t, d)
	codes := make(chan DeviceCode, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- s.LoginDevice(context.Background(), func(c DeviceCode) { codes <- c }) }()
	}
	c1, c2 := <-codes, <-codes
	if c1 != c2 || c1.UserCode != "WDJB-MJHT" || c1.VerificationURIComplete == "" {
		t.Errorf("codes: got %+v and %+v, want the same code twice", c1, c2)
	}
	if got, ok := s.PendingDevice(); !ok || got != c1 {
		t.Errorf("PendingDevice: got %+v, %v, want %+v", got, ok, c1)
	}
	if st := s.Status(); !st.LoginPending {
		t.Errorf("status: got %+v, want a login pending", st)
	}
	close(d.release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("LoginDevice: %v", err)
		}
	}
	if n := d.authorized.Load(); n != 1 {
		t.Errorf("device authorizations: got %d, want 1", n)
	}
	if !d.sleepSeen.Load() {
		t.Error("the session's Sleep did not reach PollDevice")
	}
	if got := s.Status().State; got != Valid {
		t.Errorf("state: got %v, want valid", got)
	}
	if rt := storedRefreshToken(st, "work"); rt != "rt-1" {
		t.Errorf("stored refresh token: got %q, want rt-1", rt)
	}
	if _, ok := s.PendingDevice(); ok {
		t.Error("PendingDevice after the login: got one")
	}
}

func TestDeviceAndBrowserLoginsDoNotMix(t *testing.T) {
	d := &deviceFake{fakeProvider: &fakeProvider{life: time.Hour, current: "rt-0"}, release: make(chan struct{})}
	s, _ := deviceSession(t, d)
	codes := make(chan DeviceCode, 1)
	done := make(chan error, 1)
	go func() { done <- s.LoginDevice(context.Background(), func(c DeviceCode) { codes <- c }) }()
	<-codes
	var se *Error
	if err := s.Login(context.Background(), true, nil); !errors.As(err, &se) || se.Code != "login_pending" {
		t.Errorf("browser login during a device login: got %v, want login_pending", err)
	}
	if err := s.PasteLogin(context.Background(), "http://127.0.0.1:1/callback?code=x"); !errors.As(err, &se) || se.Code != "no_login" {
		t.Errorf("paste during a device login: got %v, want no_login", err)
	}
	if !s.CancelLogin() {
		t.Fatal("CancelLogin: got false")
	}
	if err := <-done; !errors.Is(err, ErrLoginCancelled) {
		t.Errorf("cancelled device login: got %v, want ErrLoginCancelled", err)
	}

	release := make(chan struct{})
	var n atomic.Int32
	s2, _ := deviceSession(t, deviceAndBlocking{blockingLogin{d.fakeProvider, release, &n}, d})
	urls := make(chan string, 1)
	go s2.Login(context.Background(), true, func(u string) { urls <- u })
	<-urls
	if err := s2.LoginDevice(context.Background(), nil); !errors.As(err, &se) || se.Code != "login_pending" {
		t.Errorf("device login during a browser login: got %v, want login_pending", err)
	}
	close(release)
}

type deviceAndBlocking struct {
	blockingLogin
	*deviceFake
}

func (d deviceAndBlocking) Login(ctx context.Context, o auth.LoginOptions) (*auth.Token, error) {
	return d.blockingLogin.Login(ctx, o)
}

func (d deviceAndBlocking) Refresh(ctx context.Context, rt string) (*auth.Token, error) {
	return d.blockingLogin.Refresh(ctx, rt)
}

func (d deviceAndBlocking) Revoke(ctx context.Context, token, hint string) error { return nil }

func (d deviceAndBlocking) Password(ctx context.Context, u, p string) (*auth.Token, error) {
	return nil, errors.New("no")
}

func TestDeviceLoginNeedsADeviceProvider(t *testing.T) {
	s, _ := deviceSession(t, &fakeProvider{life: time.Hour})
	var se *Error
	if err := s.LoginDevice(context.Background(), nil); !errors.As(err, &se) || se.Code != "not_supported" {
		t.Errorf("got %v, want not_supported", err)
	}
}

func TestPasteWithoutALogin(t *testing.T) {
	s, _ := deviceSession(t, &fakeProvider{life: time.Hour})
	var se *Error
	if err := s.PasteLogin(context.Background(), "http://127.0.0.1:1/callback?code=x"); !errors.As(err, &se) || se.Code != "no_login" {
		t.Errorf("got %v, want no_login", err)
	}
}
