package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/session"

	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// reference is what the token answer was before the hand encoder:
// encoding/json's Encoder.
func reference(t apiclient.TokenResponse) []byte {
	var b bytes.Buffer
	json.NewEncoder(&b).Encode(t)
	return b.Bytes()
}

func TestAppendTokenJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 21, 15, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		in    apiclient.TokenResponse
		plain bool // whether the hand encoder takes it (else encoding/json does)
	}{
		{"opaque token", apiclient.TokenResponse{AccessToken: "0aB-_~.9zZ", TokenType: "Bearer", ExpiresAt: at, ExpiresIn: 3599, Scope: "openid offline_access"}, true},
		{"JWT", apiclient.TokenResponse{AccessToken: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", TokenType: "Bearer", ExpiresAt: at, ExpiresIn: 1}, true},
		{"no expiry", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer"}, true},
		{"expires_in zero is left out", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer", ExpiresAt: at}, true},
		{"negative expires_in", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer", ExpiresAt: at, ExpiresIn: -2}, true},
		{"nanoseconds", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer", ExpiresAt: at.Add(120 * time.Millisecond), ExpiresIn: 5}, true},
		{"empty strings", apiclient.TokenResponse{}, true},
		{"quote", apiclient.TokenResponse{AccessToken: `a"b`, TokenType: "Bearer"}, false},
		{"backslash", apiclient.TokenResponse{AccessToken: `a\b`, TokenType: "Bearer"}, false},
		{"HTML characters", apiclient.TokenResponse{AccessToken: "a<b>&c", TokenType: "Bearer"}, false},
		{"control character", apiclient.TokenResponse{AccessToken: "a\nb\x7f", TokenType: "Bearer"}, false},
		{"unicode", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer", Scope: "é\u2028"}, false},
		{"invalid UTF-8", apiclient.TokenResponse{AccessToken: "a\xffb", TokenType: "Bearer"}, false},
		{"year 10000", apiclient.TokenResponse{AccessToken: "t", TokenType: "Bearer", ExpiresAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := appendTokenJSON(nil, tt.in)
			if ok != tt.plain {
				t.Fatalf("handled by hand: got %v, want %v", ok, tt.plain)
			}
			if ok && !bytes.Equal(got, reference(tt.in)) {
				t.Errorf("got %s, want %s", got, reference(tt.in))
			}
			w := httptest.NewRecorder()
			writeToken(w, tt.in)
			if !bytes.Equal(w.Body.Bytes(), reference(tt.in)) || w.Header().Get("Content-Type") != "application/json" || w.Code != 200 {
				t.Errorf("writeToken: got %d %q %s, want 200 application/json %s", w.Code, w.Header().Get("Content-Type"), w.Body, reference(tt.in))
			}
		})
	}
}

func FuzzAppendTokenJSON(f *testing.F) {
	f.Add("tok", "Bearer", int64(1795300000), int64(3600), "openid")
	f.Add("a<b", "", int64(0), int64(0), "")
	f.Add("\xff", "DPoP", int64(-62135596800), int64(-1), "é")
	f.Fuzz(func(t *testing.T, tok, typ string, unix, in int64, scope string) {
		r := apiclient.TokenResponse{AccessToken: tok, TokenType: typ, ExpiresIn: in, Scope: scope}
		if unix != 0 {
			r.ExpiresAt = time.Unix(unix, 0).UTC()
		}
		if got, ok := appendTokenJSON(nil, r); ok && !bytes.Equal(got, reference(r)) {
			t.Errorf("got %s, want %s", got, reference(r))
		}
	})
}

type oneSession struct{ s *session.Session }

func (o oneSession) Session(name string) (*session.Session, bool) { return o.s, name == o.s.Name() }
func (o oneSession) All() []*session.Session                      { return []*session.Session{o.s} }

// tokenServer serves one profile "work" whose token expires at exp, with
// the clock stopped at now.
func tokenServer(t *testing.T, now, exp time.Time) *Server {
	rec := fmt.Sprintf(`{"refresh_token":"r","access_token":"the-token","token_type":"Bearer","expires_at":%q,"scope":"openid","received":%q}`,
		exp.Format(time.RFC3339), now.Add(-time.Minute).Format(time.RFC3339))
	s := session.New(session.Options{Name: "work", Store: memstore.New(map[string]string{"work": rec}), Now: func() time.Time { return now }})
	if err := s.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &Server{Sessions: oneSession{s}, Now: func() time.Time { return now }, Info: func() apiclient.AgentInfo { return apiclient.AgentInfo{} }}
}

func TestTokenAnswersOverTCP(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	exp := now.Add(time.Hour)
	srv := tokenServer(t, now, exp)
	ts := httptest.NewUnstartedServer(srv.TCPHandler())
	ts.Config.ConnContext = ConnContext
	ts.Start()
	defer ts.Close()
	port := ts.Listener.Addr().(*net.TCPAddr).Port
	wantJSON := string(reference(apiclient.TokenResponse{AccessToken: "the-token", TokenType: "Bearer", ExpiresAt: exp.UTC(), ExpiresIn: 3600, Scope: "openid"}))
	tests := []struct {
		name, host, accept, query string
		status                    int
		body, contentType         string
	}{
		{"JSON", fmt.Sprintf("127.0.0.1:%d", port), "", "", 200, wantJSON, "application/json"},
		{"text", fmt.Sprintf("127.0.0.1:%d", port), "text/plain", "", 200, "the-token", "text/plain; charset=utf-8"},
		{"localhost", fmt.Sprintf("localhost:%d", port), "", "", 200, wantJSON, "application/json"},
		{"IPv6 loopback", fmt.Sprintf("[::1]:%d", port), "", "", 200, wantJSON, "application/json"},
		{"min_valid within the lifetime", fmt.Sprintf("127.0.0.1:%d", port), "", "?min_valid=60s", 200, wantJSON, "application/json"},
		{"bad min_valid", fmt.Sprintf("127.0.0.1:%d", port), "", "?min_valid=soon", 400, "", "application/json"},
		{"another port", fmt.Sprintf("127.0.0.1:%d", port+1), "", "", 403, "", "application/json"},
		{"a foreign name", fmt.Sprintf("example.com:%d", port), "", "", 403, "", "application/json"},
		{"no port", "127.0.0.1", "", "", 403, "", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/token/work"+tt.query, nil)
			req.Host = tt.host
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || (tt.body != "" && string(body) != tt.body) {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.body)
			}
			for k, v := range map[string]string{"Content-Type": tt.contentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
				if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
					t.Errorf("%s: got %q, want [%q]", k, got, v)
				}
			}
		})
	}
}

func TestRequestBodiesStayBounded(t *testing.T) {
	now := time.Now()
	srv := tokenServer(t, now, now.Add(time.Hour))
	body := `{"refresh_token":"` + strings.Repeat("x", maxRequestBody) + `"}`
	w := httptest.NewRecorder()
	srv.SocketHandler().ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/import/work", strings.NewReader(body)))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "bad_request") {
		t.Errorf("a body over %d bytes: got %d %s, want 400 bad_request", maxRequestBody, w.Code, w.Body)
	}
}

func TestTokenRouteAnswersAsTheMuxWould(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	srv := tokenServer(t, now, now.Add(time.Hour))
	// The reference: the same handlers behind the mux alone.
	muxOnly := func(tcp bool) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc(tokenPattern, srv.token)
		if !tcp {
			mux.HandleFunc("GET /v1/status", srv.status)
		}
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, apiclient.CodeNotFound, "x")
		})
		return srv.guard(mux, tcp)
	}
	// The handlers under test, with the reference's catch-all text.
	fast := func(tcp bool) http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc(tokenPattern, srv.token)
		if !tcp {
			mux.HandleFunc("GET /v1/status", srv.status)
		}
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, apiclient.CodeNotFound, "x")
		})
		return srv.guard(tokenRoute(mux, srv.tokenOf), tcp)
	}
	targets := []string{
		"/v1/token/work", "/v1/token/work?min_valid=30s", "/v1/token/work?min_valid=soon", "/v1/token/other", "/v1/token/Work.dev-1_a",
		"/v1/token/", "/v1/token", "/v1/token/work/", "/v1/token//work", "/v1/token/a/b", "/v1/token/../status", "/v1/token/./work",
		"/v1/token/%77ork", "/v1/token/w%2Fork", "/v1/token/.work", "/v1/token/-work", "/v1/token/..", "/v1/tokens/work",
		"/v1/token/" + strings.Repeat("w", 64), "/v1/token/" + strings.Repeat("w", 65), "/v1/token/wörk",
	}
	for _, tcp := range []bool{true, false} {
		for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			for _, target := range targets {
				name := fmt.Sprintf("tcp=%v %s %s", tcp, method, target)
				want, got := httptest.NewRecorder(), httptest.NewRecorder()
				muxOnly(tcp).ServeHTTP(want, httptest.NewRequest(method, "http://127.0.0.1:8733"+target, nil))
				fast(tcp).ServeHTTP(got, httptest.NewRequest(method, "http://127.0.0.1:8733"+target, nil))
				if got.Code != want.Code || got.Body.String() != want.Body.String() || fmt.Sprint(got.Header()) != fmt.Sprint(want.Header()) {
					t.Errorf("%s: got %d %v %q, want %d %v %q", name, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
				}
			}
		}
	}
}
