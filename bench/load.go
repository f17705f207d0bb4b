package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Load is a closed-loop HTTP load: Conns keep-alive connections, each on its
// own goroutine and net/http client, sending the next request as soon as the
// previous answer has been read. Latency is measured per request from just
// before it is written to just after the whole body has been read.
type Load struct {
	// URL is what every request asks for. With Socket set, its host is only
	// the Host header.
	URL string
	// Socket is a unix socket path to dial instead of TCP.
	Socket string
	// Conns is the number of connections (and concurrent requests).
	Conns int
	// Warmup runs before measuring starts; its requests are not counted.
	Warmup time.Duration
	// Duration is how long requests are measured.
	Duration time.Duration
	// Header is sent with every request.
	Header http.Header
	// Check, if set, sees every answer on the connection's goroutine, with
	// the times the request was sent and its answer read; an error counts
	// the request as failed (when it is measured). Without it, any status
	// but 200 fails.
	Check func(conn int, status int, body []byte, sent, done time.Time) error
}

// LoadResult is what a Load measured.
type LoadResult struct {
	Requests int64         // measured requests that succeeded
	Errors   int64         // measured requests that failed
	Elapsed  time.Duration // the measuring window
	Hist     *Histogram    // latency of the successful measured requests
	FirstErr error         // the first failure, for the report
}

// RPS is successful requests per second over the measuring window.
func (r LoadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// maxBody bounds what the generator reads of an answer.
const maxBody = 1 << 20

// Run applies the load and returns when the window is over (or ctx ends).
func (l Load) Run(ctx context.Context) (LoadResult, error) {
	if l.Conns <= 0 || l.Duration <= 0 {
		return LoadResult{}, errors.New("bench: load needs Conns > 0 and Duration > 0")
	}
	start := time.Now()
	measureFrom := start.Add(l.Warmup)
	end := measureFrom.Add(l.Duration)
	ctx, cancel := context.WithDeadline(ctx, end.Add(30*time.Second))
	defer cancel()

	var firstErr atomic.Pointer[error]
	hists := make([]*Histogram, l.Conns)
	oks := make([]int64, l.Conns)
	fails := make([]int64, l.Conns)
	var wg sync.WaitGroup
	for i := range l.Conns {
		hists[i] = NewHistogram()
		wg.Go(func() {
			c := l.client()
			defer c.CloseIdleConnections()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL, nil)
			if err != nil {
				firstErr.CompareAndSwap(nil, &err)
				return
			}
			if l.Header != nil {
				req.Header = l.Header.Clone()
			}
			var buf bytes.Buffer
			for {
				t0 := time.Now()
				if !t0.Before(end) || ctx.Err() != nil {
					return
				}
				status, err := do(c, req, &buf)
				t1 := time.Now()
				if err == nil {
					if l.Check != nil {
						err = l.Check(i, status, buf.Bytes(), t0, t1)
					} else if status != http.StatusOK {
						err = fmt.Errorf("HTTP %d: %.200s", status, buf.Bytes())
					}
				}
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					fails[i]++
					firstErr.CompareAndSwap(nil, &err)
					if ctx.Err() == nil && status == 0 {
						time.Sleep(time.Millisecond) // a broken connection: don't spin
					}
					continue
				}
				oks[i]++
				hists[i].Record(t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	res := LoadResult{Elapsed: l.Duration, Hist: NewHistogram()}
	for i := range l.Conns {
		res.Requests += oks[i]
		res.Errors += fails[i]
		res.Hist.Merge(hists[i])
	}
	if p := firstErr.Load(); p != nil {
		res.FirstErr = *p
	}
	if res.Requests == 0 && res.FirstErr != nil {
		return res, fmt.Errorf("bench: no request succeeded against %s: %w", l.URL, res.FirstErr)
	}
	if res.Requests == 0 {
		return res, fmt.Errorf("bench: no request to %s finished within %v (is the machine overloaded?)", l.URL, l.Duration)
	}
	return res, nil
}

func do(c *http.Client, req *http.Request, buf *bytes.Buffer) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	buf.Reset()
	_, err = io.Copy(buf, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	return resp.StatusCode, err
}

// client is one connection's own client: one keep-alive connection, reused.
func (l Load) client() *http.Client {
	var d net.Dialer
	tr := &http.Transport{
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	if l.Socket != "" {
		sock := l.Socket
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", sock)
		}
	} else {
		tr.DialContext = d.DialContext
	}
	return &http.Client{Transport: tr}
}
