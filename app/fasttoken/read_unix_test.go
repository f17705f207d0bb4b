//go:build unix

package fasttoken

import (
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokentray/tokentray/app/rundir"
)

// serve answers on a unix socket in a fresh runtime dir with h, as the
// agent's net/http server does, and returns the dir.
func serve(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ft") // short: sun_path is 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("unix", rundir.Socket(dir))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return dir
}

func TestReadFromAnHTTPServer(t *testing.T) {
	const tok = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2ln"
	var got atomic.Value
	dir := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Method + " " + r.URL.Path + " " + r.Host + " " + r.Header.Get("Accept"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(tok))
	})
	b, ok := Read(Request{Profile: "work", RuntimeDir: dir})
	if !ok || string(b) != tok {
		t.Fatalf("Read = %q, %v", b, ok)
	}
	if want := "GET /v1/token/work tokentray.sock text/plain"; got.Load() != want {
		t.Errorf("the agent saw %q, want %q", got.Load(), want)
	}
}

func TestReadDeclines(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
	}{
		{"an error answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			http.Error(w, "login_required", http.StatusUnauthorized)
		}},
		{"a streamed answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("abc"))
			w.(http.Flusher).Flush() // chunked from here
			w.Write([]byte("def"))
		}},
		{"an answer too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(strings.Repeat("a", MaxAnswer+1)))
		}},
		{"a hang-up", func(w http.ResponseWriter, r *http.Request) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		}},
	}
	for _, tt := range tests {
		dir := serve(t, tt.h)
		if b, ok := Read(Request{Profile: "work", RuntimeDir: dir}); ok {
			t.Errorf("%s: Read = %q, true; want it declined", tt.name, b)
		}
	}
	if b, ok := Read(Request{Profile: "work", RuntimeDir: t.TempDir()}); ok {
		t.Errorf("no agent: Read = %q, true", b)
	}
	if b, ok := Read(Request{Profile: "work", RuntimeDir: "/" + strings.Repeat("d", 120)}); ok {
		t.Errorf("a socket path too long: Read = %q, true", b)
	}
}
