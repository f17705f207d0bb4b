package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

const fakeDeviceCode = "dc-0123456789abcdef0123456789abcdef"

// deviceFake is a device authorization server whose token endpoint gives
// the scripted answers in order, then succeeds.
type deviceFake struct {
	t         *testing.T
	authorize map[string]any // the device authorization answer
	answers   []func(w http.ResponseWriter)

	mu    sync.Mutex // guards polls
	polls []map[string]string
}

func (f *deviceFake) start() *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/device":
			if r.Form.Get("client_id") != "cli" || r.Form.Get("scope") != "openid offline_access" {
				f.t.Errorf("device authorization form: got %v", r.Form)
			}
			json.NewEncoder(w).Encode(f.authorize)
		case "/token":
			f.mu.Lock()
			n := len(f.polls)
			f.polls = append(f.polls, map[string]string{"grant_type": r.Form.Get("grant_type"), "device_code": r.Form.Get("device_code"), "client_id": r.Form.Get("client_id")})
			f.mu.Unlock()
			if n < len(f.answers) {
				f.answers[n](w)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"access_token": "at-device", "token_type": "Bearer", "expires_in": 300, "refresh_token": "rt-device"})
		}
	}))
	f.t.Cleanup(srv.Close)
	return srv
}

func oauthErr(status int, code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "about " + fakeDeviceCode})
	}
}

// recordingSleeper advances the test clock instead of waiting, and
// records every wait.
type recordingSleeper struct {
	clock *testClock
	mu    sync.Mutex // guards waits
	waits []time.Duration
}

func (s *recordingSleeper) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	s.clock.Advance(d)
	return nil
}

func deviceClient(srv *httptest.Server, clock *testClock) *Client {
	return NewClient(Config{
		ClientID: "cli",
		Scopes:   []string{"openid", "offline_access"},
		Endpoints: Endpoints{
			TokenURL:               srv.URL + "/token",
			DeviceAuthorizationURL: srv.URL + "/device",
		},
	}, srv.Client(), clock.Now)
}

func standardAuthorize(interval, expiresIn int) map[string]any {
	return map[string]any{"device_code": fakeDeviceCode, "user_code": "WDJB-MJHT", "verification_uri": "https://idp.example.com/device",
		"verification_uri_complete": "https://idp.example.com/device?user_code=WDJB-MJHT", "expires_in": expiresIn, "interval": interval}
}

func TestDevicePollingHonoursIntervalAndSlowDown(t *testing.T) {
	tests := []struct {
		name      string
		authorize map[string]any
		answers   []func(http.ResponseWriter)
		wantWaits []time.Duration
		wantErr   string // the error code; "" means a token
		wantPolls int
	}{
		{
			name:      "pending then success",
			authorize: standardAuthorize(2, 600),
			answers:   []func(http.ResponseWriter){oauthErr(400, "authorization_pending"), oauthErr(400, "authorization_pending")},
			wantWaits: []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second},
			wantPolls: 3,
		},
		{
			name:      "slow_down adds five seconds for this and every later poll",
			authorize: standardAuthorize(2, 600),
			answers:   []func(http.ResponseWriter){oauthErr(400, "authorization_pending"), oauthErr(400, "slow_down"), oauthErr(400, "authorization_pending"), oauthErr(400, "slow_down")},
			wantWaits: []time.Duration{2 * time.Second, 2 * time.Second, 7 * time.Second, 7 * time.Second, 12 * time.Second},
			wantPolls: 5,
		},
		{
			name:      "no interval means five seconds",
			authorize: map[string]any{"device_code": fakeDeviceCode, "user_code": "A", "verification_uri": "https://idp.example.com/d", "expires_in": 600},
			wantWaits: []time.Duration{5 * time.Second},
			wantPolls: 1,
		},
		{
			name:      "pending as a 200 (GitHub's way) keeps polling",
			authorize: standardAuthorize(1, 600),
			answers:   []func(http.ResponseWriter){oauthErr(200, "authorization_pending")},
			wantWaits: []time.Duration{time.Second, time.Second},
			wantPolls: 2,
		},
		{
			name:      "a server error doubles the interval",
			authorize: standardAuthorize(3, 600),
			answers:   []func(http.ResponseWriter){oauthErr(503, "temporarily_unavailable"), func(w http.ResponseWriter) { w.WriteHeader(502) }},
			wantWaits: []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second},
			wantPolls: 3,
		},
		{
			name:      "expired_token ends it",
			authorize: standardAuthorize(1, 600),
			answers:   []func(http.ResponseWriter){oauthErr(400, "authorization_pending"), oauthErr(400, "expired_token")},
			wantWaits: []time.Duration{time.Second, time.Second},
			wantErr:   "expired_token",
			wantPolls: 2,
		},
		{
			name:      "access_denied ends it",
			authorize: standardAuthorize(1, 600),
			answers:   []func(http.ResponseWriter){oauthErr(400, "access_denied")},
			wantWaits: []time.Duration{time.Second},
			wantErr:   "access_denied",
			wantPolls: 1,
		},
		{
			name:      "the code's own expiry ends it without another poll",
			authorize: standardAuthorize(5, 12),
			answers:   []func(http.ResponseWriter){oauthErr(400, "authorization_pending"), oauthErr(400, "authorization_pending")},
			wantWaits: []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second},
			wantErr:   "expired_token",
			wantPolls: 2,
		},
		{
			name:      "an unknown error ends it",
			authorize: standardAuthorize(1, 600),
			answers:   []func(http.ResponseWriter){oauthErr(400, "invalid_client")},
			wantWaits: []time.Duration{time.Second},
			wantErr:   "invalid_client",
			wantPolls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &deviceFake{t: t, authorize: tt.authorize, answers: tt.answers}
			srv := f.start()
			clock := newTestClock()
			c := deviceClient(srv, clock)
			ctx := testContext(t)
			da, err := c.DeviceAuthorize(ctx)
			if err != nil {
				t.Fatalf("DeviceAuthorize: %v", err)
			}
			s := &recordingSleeper{clock: clock}
			tok, err := c.PollDevice(ctx, da, s.sleep)
			if !slices.Equal(s.waits, tt.wantWaits) {
				t.Errorf("waits: got %v, want %v", s.waits, tt.wantWaits)
			}
			if got := len(f.polls); got != tt.wantPolls {
				t.Errorf("polls: got %d, want %d", got, tt.wantPolls)
			}
			for _, p := range f.polls {
				if p["grant_type"] != DeviceGrantType || p["device_code"] != fakeDeviceCode || p["client_id"] != "cli" {
					t.Errorf("poll form: got %v", p)
				}
			}
			if tt.wantErr == "" {
				if err != nil || tok.AccessToken != "at-device" || tok.RefreshToken != "rt-device" {
					t.Fatalf("got %+v, %v, want the token", tok, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.wantErr {
				t.Fatalf("got %v, want error %s", err, tt.wantErr)
			}
			mustNotLeak(t, err.Error(), fakeDeviceCode)
		})
	}
}

func TestDeviceAuthorizeRefusesBadAnswers(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  bool
		authorize map[string]any
		want      string
		kind      Kind
	}{
		{"no endpoint", false, nil, "no device login", Misconfigured},
		{"not a web page", true, map[string]any{"device_code": fakeDeviceCode, "user_code": "A", "verification_uri": "javascript:alert(1)"}, "not a web page", Misconfigured},
		{"no user code", true, map[string]any{"device_code": fakeDeviceCode, "verification_uri": "https://x/d"}, "lacks", Transient},
		{"user code with a newline", true, map[string]any{"device_code": fakeDeviceCode, "user_code": "A\nB", "verification_uri": "https://x/d"}, "cannot be shown", Transient},
		{"an error", true, map[string]any{"error": "unauthorized_client", "error_description": "device flow not allowed"}, "device flow not allowed", Misconfigured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &deviceFake{t: t, authorize: tt.authorize}
			srv := f.start()
			c := deviceClient(srv, newTestClock())
			if !tt.endpoint {
				cfg := c.Config()
				cfg.Endpoints.DeviceAuthorizationURL = ""
				c = NewClient(cfg, srv.Client(), nil)
			}
			_, err := c.DeviceAuthorize(testContext(t))
			mustKind(t, err, tt.kind)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want it to say %q", err, tt.want)
			}
			if err != nil {
				mustNotLeak(t, err.Error(), fakeDeviceCode)
			}
		})
	}
}

func TestDevicePollStopsWithItsContext(t *testing.T) {
	f := &deviceFake{t: t, authorize: standardAuthorize(1, 600)}
	srv := f.start()
	c := deviceClient(srv, newTestClock())
	da, err := c.DeviceAuthorize(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.PollDevice(ctx, da, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if len(f.polls) != 0 {
		t.Errorf("polls: got %d, want 0", len(f.polls))
	}
}

// TestDeviceLoginAgainstNodeOIDCProvider runs the device flow against the
// real provider: the code is pending until a person (the scripted browser)
// confirms it, then the poll brings the tokens.
func TestDeviceLoginAgainstNodeOIDCProvider(t *testing.T) {
	p := testprovider.Start(t, testprovider.Options{})
	ctx := testContext(t)
	ep, err := Discover(ctx, http.DefaultClient, p.Issuer)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if ep.DeviceAuthorizationURL != p.DeviceAuthURL() {
		t.Fatalf("device endpoint: got %q, want %q", ep.DeviceAuthorizationURL, p.DeviceAuthURL())
	}
	c := NewClient(Config{Issuer: p.Issuer, ClientID: testprovider.DefaultClientID, Scopes: []string{"openid", "offline_access"}, Endpoints: ep}, nil, nil)
	da, err := c.DeviceAuthorize(ctx)
	if err != nil {
		t.Fatalf("DeviceAuthorize: %v", err)
	}
	if da.VerificationURI != p.DeviceURL() || !strings.Contains(da.VerificationURIComplete, "user_code=") || da.Interval <= 0 {
		t.Errorf("authorization: got %+v", da)
	}
	b := p.Browser("erin")
	var waits int
	tok, err := c.PollDevice(ctx, da, func(ctx context.Context, d time.Duration) error {
		waits++
		if d != da.Interval {
			t.Errorf("wait %d: got %v, want the provider's interval %v", waits, d, da.Interval)
		}
		if waits == 2 { // the first poll was pending; now the person confirms
			if err := b.ApproveDevice(da.UserCode); err != nil {
				t.Errorf("ApproveDevice: %v", err)
			}
		}
		return ctx.Err()
	})
	if err != nil {
		t.Fatalf("PollDevice: %v", err)
	}
	if waits != 2 || tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == "" {
		t.Errorf("got %d waits and token %v/%v/%v, want 2 waits and access, refresh and ID tokens", waits, tok.AccessToken != "", tok.RefreshToken != "", tok.IDToken != "")
	}
	if active, err := p.Introspect(testprovider.DefaultClientID, "", tok.AccessToken); err != nil || !active {
		t.Errorf("introspection: active=%v err=%v", active, err)
	}
}
