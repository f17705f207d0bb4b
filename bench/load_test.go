package bench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// connCounter serves "ok" and counts the connections it accepted.
type connCounter struct {
	mu    sync.Mutex // guards conns
	conns int
}

func (c *connCounter) server() *http.Server {
	return &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Probe") != "yes" {
				http.Error(w, "no header", http.StatusBadRequest)
				return
			}
			w.Write([]byte("ok"))
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				c.mu.Lock()
				c.conns++
				c.mu.Unlock()
			}
		},
	}
}

func TestLoadKeepsOneConnectionPerWorker(t *testing.T) {
	for _, transport := range []string{"tcp", "unix"} {
		t.Run(transport, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if transport == "unix" {
				addr = filepath.Join(t.TempDir(), "s.sock")
			}
			ln, err := net.Listen(transport, addr)
			if err != nil {
				t.Fatal(err)
			}
			var cc connCounter
			srv := cc.server()
			go srv.Serve(ln)
			defer srv.Close()
			l := Load{URL: "http://" + ln.Addr().String() + "/", Conns: 4, Warmup: 50 * time.Millisecond, Duration: 200 * time.Millisecond,
				Header: http.Header{"X-Probe": {"yes"}}}
			if transport == "unix" {
				l.Socket, l.URL = addr, "http://bench/"
			}
			res, err := l.Run(context.Background())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Errors != 0 || res.Requests == 0 || res.Hist.Count() != uint64(res.Requests) {
				t.Errorf("got %d ok, %d errors, %d samples (%v), want only successes, all recorded", res.Requests, res.Errors, res.Hist.Count(), res.FirstErr)
			}
			if cc.conns != 4 {
				t.Errorf("connections: got %d, want 4 (keep-alive, one per worker)", cc.conns)
			}
		})
	}
}

func TestLoadCountsFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("x")) }))
	defer srv.Close()
	bad := errors.New("bad body")
	res, err := Load{URL: srv.URL, Conns: 2, Duration: 100 * time.Millisecond,
		Check: func(int, int, []byte, time.Time, time.Time) error { return bad }}.Run(context.Background())
	if err == nil || res.Errors == 0 || !errors.Is(res.FirstErr, bad) {
		t.Fatalf("got %v, %d errors, first %v, want every request failed with the check's error", err, res.Errors, res.FirstErr)
	}
}
