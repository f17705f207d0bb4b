package api

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/internal/testing/memstore"
)

// GET /v1/token is `tokentray token` without a name: the only profile's
// token, answered as GET /v1/token/{that profile} is, on the socket and on
// the TCP port; with none or several, an error that says what to do.
func TestOnlyProfileToken(t *testing.T) {
	s := testServer(t)
	s.TCPPeerUID = func(_, _ *net.TCPAddr) (int, bool) { return os.Getuid(), true }
	sv := serve(t, s, nil)
	sock := socketClient(sv.socket)
	get := func(c *http.Client, url string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", "text/plain")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	for name, c := range map[string]struct {
		client *http.Client
		base   string
	}{"socket": {sock, "http://tokentray.sock"}, "tcp": {http.DefaultClient, "http://" + sv.tcp}} {
		wantCode, want := get(c.client, c.base+"/v1/token/work")
		code, got := get(c.client, c.base+"/v1/token")
		if wantCode != 200 || code != 200 || got != want {
			t.Errorf("%s: GET /v1/token = %d %q; /v1/token/work = %d %q", name, code, got, wantCode, want)
		}
	}

	two := s.Sessions.(sessions)
	other := session.New(session.Options{Name: "other", Store: &memstore.Store{}})
	t.Cleanup(other.Close)
	two["other"] = other
	w := httptest.NewRecorder()
	s.SocketHandler().ServeHTTP(w, httptest.NewRequest("GET", "/v1/token", nil))
	if w.Code != 400 || !strings.Contains(w.Body.String(), `"bad_request"`) || !strings.Contains(w.Body.String(), "name a profile: ") ||
		!strings.Contains(w.Body.String(), "work") || !strings.Contains(w.Body.String(), "other") {
		t.Errorf("two profiles: %d %s", w.Code, w.Body)
	}

	s.Sessions = sessions{}
	w = httptest.NewRecorder()
	s.SocketHandler().ServeHTTP(w, httptest.NewRequest("GET", "/v1/token", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), `"unknown_profile"`) {
		t.Errorf("no profiles: %d %s", w.Code, w.Body)
	}
}
