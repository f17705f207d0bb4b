package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// direct is an HTTP client that never uses a proxy.
var direct = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}

// do sends one request and returns its status, headers and body.
func do(t *testing.T, method, url string, edit func(*http.Request), body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := direct.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(b)
}

// socketClient is an HTTP client of a unix socket.
func socketClient(path string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}}
}

// checkHeaders holds for every answer of the API, errors included: never
// cached, never shared with a web page.
func checkHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q, want no-store", got)
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("CORS header %s: %v", k, h[k])
		}
	}
}

func TestTCPPeerPolicy(t *testing.T) {
	me := os.Getuid()
	const key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name      string
		uid       int
		known     bool
		serverKey string
		header    map[string]string
		want      int
	}{
		{"our own user", me, true, key, nil, 200},
		{"another user", me + 1, true, key, nil, 403},
		{"another user with the key", me + 1, true, key, map[string]string{apiclient.KeyHeader: key}, 403},
		{"unknown user without the key", 0, false, key, nil, 403},
		{"unknown user with a wrong key", 0, false, key, map[string]string{apiclient.KeyHeader: strings.Repeat("0", 64)}, 403},
		{"unknown user with a short key", 0, false, key, map[string]string{apiclient.KeyHeader: key[:10]}, 403},
		{"unknown user with the key as a bearer token", 0, false, key, map[string]string{"Authorization": "Bearer " + key}, 403},
		{"unknown user with the key", 0, false, key, map[string]string{apiclient.KeyHeader: key}, 200},
		{"unknown user, agent without a key", 0, false, "", map[string]string{apiclient.KeyHeader: ""}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testServer(t)
			s.TCPKey = tt.serverKey
			var asked int
			s.TCPPeerUID = func(local, remote *net.TCPAddr) (int, bool) {
				asked++
				if !local.IP.IsLoopback() || !remote.IP.IsLoopback() || local.Port == remote.Port {
					t.Errorf("lookup of %v ↔ %v: want our loopback connection", local, remote)
				}
				return tt.uid, tt.known
			}
			sv := serve(t, s, nil)
			status, h, body := do(t, "GET", "http://"+sv.tcp+"/v1/token/work", func(r *http.Request) {
				for k, v := range tt.header {
					r.Header.Set(k, v)
				}
			}, nil)
			if status != tt.want {
				t.Errorf("got HTTP %d %s, want %d", status, body, tt.want)
			}
			checkHeaders(t, h)
			if status == 403 && (strings.Contains(body, "at-") || !strings.Contains(body, `"error":"forbidden"`)) {
				t.Errorf("403 body: got %s, want a forbidden error and no token", body)
			}
			if asked != 1 {
				t.Errorf("the peer was looked up %d times, want once", asked)
			}
		})
	}
}

// The peer is looked up once per connection, not per request.
func TestTCPPeerLookedUpOncePerConnection(t *testing.T) {
	s := testServer(t)
	var asked int
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { asked++; return os.Getuid(), true }
	sv := serve(t, s, nil)
	for range 5 {
		if status, _, body := do(t, "GET", "http://"+sv.tcp+"/v1/token/work", nil, nil); status != 200 {
			t.Fatalf("got HTTP %d %s, want 200", status, body)
		}
	}
	if asked != 1 {
		t.Errorf("got %d lookups for 5 requests on one connection, want 1", asked)
	}
}

func TestGuardRefusesBrowsers(t *testing.T) {
	s := testServer(t)
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { return os.Getuid(), true }
	sv := serve(t, s, nil)
	_, port, _ := net.SplitHostPort(sv.tcp)
	otherPort := strconv.Itoa(mustAtoi(t, port) + 1)
	tests := []struct {
		name   string
		header map[string]string
		host   string
		want   int
	}{
		{"plain read", nil, "", 200},
		{"Host localhost", nil, "localhost:" + port, 200},
		{"Host [::1]", nil, "[::1]:" + port, 200},
		{"Sec-Fetch-Site none (typed in the address bar)", map[string]string{"Sec-Fetch-Site": "none"}, "", 200},
		{"Sec-Fetch-Site same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, "", 200},
		{"DNS rebinding: a foreign Host", nil, "evil.example:" + port, 403},
		{"a foreign Host without a port", nil, "evil.example", 403},
		{"loopback Host with another port", nil, "127.0.0.1:" + otherPort, 403},
		{"loopback Host without a port", nil, "127.0.0.1", 403},
		{"a name that merely starts like localhost", nil, "localhost.evil.example:" + port, 403},
		{"Origin", map[string]string{"Origin": "http://evil.example"}, "", 403},
		{"Origin null (sandboxed frame)", map[string]string{"Origin": "null"}, "", 403},
		{"Origin of the agent itself", map[string]string{"Origin": "http://" + sv.tcp}, "", 403},
		{"Referer", map[string]string{"Referer": "http://evil.example/page"}, "", 403},
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", 403},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site"}, "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := do(t, "GET", "http://"+sv.tcp+"/v1/token/work", func(r *http.Request) {
				if tt.host != "" {
					r.Host = tt.host
				}
				for k, v := range tt.header {
					r.Header.Set(k, v)
				}
			}, nil)
			if status != tt.want {
				t.Errorf("got HTTP %d %s, want %d", status, body, tt.want)
			}
			checkHeaders(t, h)
			if tt.want == 403 && strings.Contains(body, "access_token") {
				t.Errorf("a refused request got a token: %s", body)
			}
		})
	}
	// A CORS preflight gets no CORS answer, on either transport.
	for name, url := range map[string]string{"tcp": "http://" + sv.tcp + "/v1/token/work"} {
		status, h, _ := do(t, "OPTIONS", url, func(r *http.Request) {
			r.Header.Set("Origin", "http://evil.example")
			r.Header.Set("Access-Control-Request-Method", "GET")
		}, nil)
		if status != 403 {
			t.Errorf("%s preflight: got HTTP %d, want 403", name, status)
		}
		checkHeaders(t, h)
	}
	// The socket refuses web pages too (a browser cannot reach it, but a
	// local proxy that forwards to it could).
	resp, err := socketClient(sv.socket).Do(mustRequest(t, "GET", "http://tokentray.sock/v1/token/work", map[string]string{"Origin": "http://evil.example"}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("socket with Origin: got HTTP %d, want 403", resp.StatusCode)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustRequest(t *testing.T, method, url string, header map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// The TCP port reads tokens and does nothing else.
func TestTCPServesTokenReadsOnly(t *testing.T) {
	s := testServer(t)
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { return os.Getuid(), true }
	s.Reload = func(context.Context) error { t.Error("reload over TCP"); return nil }
	sv := serve(t, s, nil)
	sess, _ := s.Sessions.Session("work")
	before := sess.Status()
	for _, r := range []struct{ method, path string }{
		{"GET", "/v1/status"}, {"POST", "/v1/login/work"}, {"DELETE", "/v1/login/work"},
		{"POST", "/v1/logout/work"}, {"POST", "/v1/refresh/work"}, {"POST", "/v1/import/work"},
		{"POST", "/v1/password/work"}, {"POST", "/v1/reload"}, {"POST", "/v1/token/work"}, {"DELETE", "/v1/token/work"},
	} {
		status, h, body := do(t, r.method, "http://"+sv.tcp+r.path, nil, strings.NewReader(`{"refresh_token":"x"}`))
		if status < 400 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s %s over TCP: got HTTP %d %s, want a JSON error", r.method, r.path, status, body)
		}
		checkHeaders(t, h)
	}
	after := sess.Status()
	if after.State != before.State || !after.LastRefresh.Equal(before.LastRefresh) || after.ExpiresAt != before.ExpiresAt {
		t.Errorf("the session changed through the TCP port: %+v → %+v", before, after)
	}
}

func TestHostileTokenAPI(t *testing.T) {
	s := testServer(t)
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { return os.Getuid(), true }
	sv := serve(t, s, nil)
	sess, _ := s.Sessions.Session("work")
	before := sess.Status()
	sock := socketClient(sv.socket)
	send := func(method, path string, body io.Reader, header map[string]string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, "http://tokentray.sock"+path, body)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := sock.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	// Go's limit is MaxHeaderBytes plus its read buffers' slack: far beyond it.
	huge := strings.Repeat("a", 64<<10)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header map[string]string
		want   int
		code   string // the JSON error code, "" when the HTTP server itself answers
	}{
		{"unknown profile", "GET", "/v1/token/nope", "", nil, 404, "unknown_profile"},
		{"a long unknown profile", "GET", "/v1/token/" + strings.Repeat("x", 8<<10), "", nil, 404, "unknown_profile"},
		{"encoded traversal", "GET", "/v1/token/..%2F..%2Fetc%2Fpasswd", "", nil, 404, "unknown_profile"},
		{"NUL in the name", "GET", "/v1/token/work%00", "", nil, 404, "unknown_profile"},
		{"URL beyond the header limit", "GET", "/v1/token/" + huge, "", nil, 431, ""},
		{"headers beyond the limit", "GET", "/v1/token/work", "", map[string]string{"X-Junk": huge}, 431, ""},
		{"min_valid not a duration", "GET", "/v1/token/work?min_valid=soon", "", nil, 400, "bad_request"},
		{"min_valid negative", "GET", "/v1/token/work?min_valid=-5s", "", nil, 400, "bad_request"},
		{"min_valid absurd", "GET", "/v1/token/work?min_valid=100000h", "", nil, 400, "bad_request"},
		{"malformed JSON", "POST", "/v1/import/work", `{"refresh_token":`, nil, 400, "bad_request"},
		{"JSON of the wrong type", "POST", "/v1/import/work", `{"refresh_token":42}`, nil, 400, "bad_request"},
		{"unknown JSON field", "POST", "/v1/password/work", `{"username":"a","password":"b","admin":true}`, nil, 400, "bad_request"},
		{"not JSON at all", "POST", "/v1/login/work", "\x00\x01\x02", nil, 400, "bad_request"},
		{"body beyond 64 KiB", "POST", "/v1/import/work", `{"refresh_token":"` + strings.Repeat("r", 100<<10) + `"}`, nil, 400, "bad_request"},
		{"empty refresh token", "POST", "/v1/import/work", `{"refresh_token":"   "}`, nil, 400, "bad_request"},
		{"unknown endpoint", "GET", "/v2/everything", "", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			status, h, got := send(tt.method, tt.path, body, tt.header)
			if status != tt.want {
				t.Errorf("got HTTP %d %.200s, want %d", status, got, tt.want)
			}
			if tt.code != "" { // else net/http itself refused it before any handler
				checkHeaders(t, h)
				var e apiclient.ErrorResponse
				if err := json.Unmarshal([]byte(got), &e); err != nil || string(e.Error) != tt.code || e.Message == "" {
					t.Errorf("got %.200s, want the JSON error %q", got, tt.code)
				}
			}
			if len(got) > 1024 {
				t.Errorf("got a %d-byte answer, want a short one", len(got))
			}
		})
	}
	after := sess.Status()
	if after.State != before.State || !after.LastRefresh.Equal(before.LastRefresh) {
		t.Errorf("hostile requests changed the session: %+v → %+v", before, after)
	}
	if status, _, _ := send("GET", "/v1/token/work", nil, nil); status != 200 {
		t.Errorf("after the hostile requests: got HTTP %d, want 200", status)
	}
}

func TestServerTimeoutsAreSet(t *testing.T) {
	srv := NewHTTPServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: got header %v, read %v, write %v, idle %v, want all set",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if srv.WriteTimeout <= maxWait {
		t.Errorf("WriteTimeout %v: want more than the longest wait for a refresh (%v)", srv.WriteTimeout, maxWait)
	}
	if srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 {
		t.Errorf("MaxHeaderBytes: got %d, want a small limit", srv.MaxHeaderBytes)
	}
}

// Slow clients are cut off: a client that trickles its headers (slowloris)
// or its body loses the connection at the server's deadline, and the agent
// keeps serving everyone else.
func TestSlowClientsAreCut(t *testing.T) {
	s := testServer(t)
	s.TCPPeerUID = func(*net.TCPAddr, *net.TCPAddr) (int, bool) { return os.Getuid(), true }
	sv := serve(t, s, func(srv *http.Server) {
		srv.ReadHeaderTimeout = 300 * time.Millisecond
		srv.ReadTimeout = 600 * time.Millisecond
	})
	tests := []struct {
		name    string
		network string
		addr    string
		start   string // sent at once
		trickle string // then one byte every 50 ms
	}{
		{"headers over TCP", "tcp", sv.tcp, "GET /v1/token/work HTTP/1.1\r\nHost: " + sv.tcp + "\r\n", strings.Repeat("X-Slow: a\r\n", 100)},
		{"headers on the socket", "unix", sv.socket, "GET /v1/token/work HTTP/1.1\r\nHost: x\r\n", strings.Repeat("X-Slow: a\r\n", 100)},
		{"body on the socket", "unix", sv.socket, "POST /v1/import/work HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", `{"refresh_token":"` + strings.Repeat("r", 900)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial(tt.network, tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			closed := make(chan string, 1)
			go func() {
				b, _ := io.ReadAll(bufio.NewReader(c)) // until the server closes
				closed <- string(b)
			}()
			if _, err := io.WriteString(c, tt.start); err != nil {
				t.Fatal(err)
			}
			deadline := time.After(10 * time.Second)
			for i := 0; ; i++ {
				select {
				case answer := <-closed:
					if strings.Contains(answer, "access_token") || strings.Contains(answer, "200 OK") {
						t.Errorf("a slow client was served: %q", answer)
					}
					if sess, _ := s.Sessions.Session("work"); sess.Status().LastError != "" {
						t.Errorf("the session saw an error: %v", sess.Status().LastError)
					}
					return
				case <-deadline:
					t.Fatal("the server still holds a slow client's connection after 10 s")
				case <-time.After(50 * time.Millisecond):
				}
				if i < len(tt.trickle) {
					if _, err := c.Write([]byte{tt.trickle[i]}); err != nil && !errors.Is(err, net.ErrClosed) {
						// The server closed the connection: the reader sees it next.
						continue
					}
				}
			}
		})
	}
	// Meanwhile everyone else is served.
	if status, _, body := do(t, "GET", "http://"+sv.tcp+"/v1/token/work", nil, nil); status != 200 {
		t.Errorf("after the slow clients: got HTTP %d %s, want 200", status, body)
	}
}
