package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// refreshWithin runs one refresh against h with a client whose timeout is
// timeout, as the agent's client has one (30 s there).
func refreshWithin(t *testing.T, timeout time.Duration, rt string, h http.HandlerFunc) (*Token, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	hc := srv.Client()
	hc.Timeout = timeout
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "cid", ReadTimeout: timeout}, hc, newTestClock().Now)
	return c.Refresh(testContext(t), rt)
}

// Network faults between the agent and the provider are transient (retry
// with backoff while the current token serves), bounded in time, and their
// errors never carry the refresh token.
func TestNetworkFaultsAreTransientAndBounded(t *testing.T) {
	const rt = "rt-network-0123456789abcdef0123456789"
	// A stalled provider holds the request until the client gives up. The
	// body is read first: only then does the server notice a client that
	// went away.
	stall := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	tests := []struct {
		name    string
		h       http.HandlerFunc
		mention string
	}{
		{"stalled before the headers", stall, "sent but no answer came"},
		{"stalled in the body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "200")
			io.WriteString(w, `{"access_token":"at-par`)
			w.(http.Flusher).Flush()
			stall(w, r)
		}, "reading the response"},
		{"reset before answering", func(w http.ResponseWriter, r *http.Request) {
			reset(t, w)
		}, "connection reset"},
		{"reset in the body", func(w http.ResponseWriter, r *http.Request) {
			c, bw := hijack(t, w)
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"access_token\":\"at-")
			bw.Flush()
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}, "reading the response"},
		{"closed before answering", func(w http.ResponseWriter, r *http.Request) {
			c, _ := hijack(t, w)
			c.Close()
		}, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := refreshWithin(t, 300*time.Millisecond, rt, tt.h)
			mustKind(t, err, Transient)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("got %q, want it to mention %q", err, tt.mention)
			}
			mustNotLeak(t, err.Error(), rt)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v; the client's timeout must bound it", d)
			}
		})
	}
}

// A body that comes slowly but within the timeout is read whole.
func TestSlowBodyWithinTimeoutIsRead(t *testing.T) {
	body := `{"access_token":"at-slow","refresh_token":"rt-next","expires_in":60}`
	tok, err := refreshWithin(t, 10*time.Second, "rt-0", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := range len(body) {
			w.Write([]byte{body[i]})
			w.(http.Flusher).Flush()
			time.Sleep(2 * time.Millisecond)
		}
	})
	if err != nil || tok.AccessToken != "at-slow" || tok.RefreshToken != "rt-next" {
		t.Fatalf("got %+v, %v, want the slowly sent token", tok, err)
	}
}

// Broken 200 answers are transient errors, never a token.
func TestBrokenSuccessAnswers(t *testing.T) {
	const rt = "rt-broken-0123456789abcdef0123456789"
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"access_token":"`))
	zw.Write(make([]byte, 8<<20)) // 8 MiB of zeros, a few KiB compressed
	zw.Close()
	tests := []struct {
		name    string
		h       http.HandlerFunc
		mention string
	}{
		{"truncated JSON", answer(200, "application/json", `{"access_token":"at-trunc`), "not JSON"},
		{"empty body", answer(200, "application/json", ""), "not JSON"},
		{"JSON null", answer(200, "application/json", "null"), "without an access_token"},
		{"JSON array", answer(200, "application/json", `[{"access_token":"a"}]`), "not JSON"},
		{"JSON string", answer(200, "application/json", `"token"`), "not JSON"},
		{"access_token a number", answer(200, "application/json", `{"access_token":12345}`), "without an access_token"},
		{"access_token empty", answer(200, "application/json", `{"access_token":""}`), "without an access_token"},
		{"XML", answer(200, "application/xml", `<?xml version="1.0"?><token>abc</token>`), "not JSON"},
		{"a gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Type", "application/json")
			w.Write(bomb.Bytes())
		}, "larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := refreshWithin(t, 10*time.Second, rt, tt.h)
			if tok != nil {
				t.Fatalf("got a token %+v, want an error", tok)
			}
			mustKind(t, err, Transient)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("got %q, want it to mention %q", err, tt.mention)
			}
			mustNotLeak(t, err.Error(), rt)
		})
	}
}

// A context that ends before the request is sent ends it; one that ends
// after does not: the answer may carry the only copy of a rotated refresh
// token (a process paused mid-refresh wakes to find it in its socket).
func TestDeadlineEndsTheSendingNotTheAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(600 * time.Millisecond) // the caller's deadline passes meanwhile
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at-late","refresh_token":"rt-rotated","expires_in":60}`)
	}))
	defer srv.Close()
	c := NewClient(Config{Endpoints: Endpoints{TokenURL: srv.URL}, ClientID: "cid"}, srv.Client(), nil)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	tok, err := c.Refresh(ctx, "rt")
	if err != nil {
		t.Fatalf("got %v, want the answer that arrived after the deadline", err)
	}
	if tok.RefreshToken != "rt-rotated" {
		t.Errorf("got refresh token %q, want rt-rotated", tok.RefreshToken)
	}

	dead, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = c.Refresh(dead, "rt")
	mustKind(t, err, Transient)
	var e *Error
	if !errors.As(err, &e) || e.Sent {
		t.Errorf("got %#v, want an unsent transient error", err)
	}
}

// A request that went out and got no answer says so (Sent): the provider
// may have used the refresh token.
func TestNoAnswerIsMarkedSent(t *testing.T) {
	_, err := refreshWithin(t, 300*time.Millisecond, "rt", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(2 * time.Second)
	})
	var e *Error
	if !errors.As(err, &e) || !e.Sent {
		t.Errorf("got %#v, want a sent-without-answer error", err)
	}
}

func hijack(t *testing.T, w http.ResponseWriter) (net.Conn, *bufio.Writer) {
	t.Helper()
	c, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Fatalf("hijack: %v", err)
	}
	return c, rw.Writer
}

// reset closes the connection with a TCP RST, as a crashed proxy does.
func reset(t *testing.T, w http.ResponseWriter) {
	c, _ := hijack(t, w)
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}
