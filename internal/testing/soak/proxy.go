package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// The faults the proxy injects into token requests. Those that strike
// before the request reaches the provider cost nothing but time; a slow
// body comes after the provider has answered (and rotated the refresh
// token), so a kill during it can cost the login, as it would in life.
const (
	fault5xx      = "5xx"       // an HTML 503 from a "gateway", not forwarded
	faultReset    = "reset"     // the connection reset (RST), not forwarded
	faultStall    = "stall"     // no answer for 1–4 s, then the connection dropped, not forwarded
	faultSlowBody = "slow body" // forwarded; the answer trickles back over about a second
	faultHTML403  = "html 403"  // a firewall's HTML "access denied" page, not forwarded: no OAuth error, so not a lost login
	faultNone     = "none"
)

var faultKinds = []string{fault5xx, faultReset, faultStall, faultSlowBody, faultHTML403}

// faultProxy forwards to the provider on the loopback and breaks a share of
// the token requests.
type faultProxy struct {
	target *url.URL
	rate   float64
	hc     *http.Client

	counts    map[string]*atomic.Int64 // per fault kind; written at start only
	refreshes atomic.Int64             // refresh requests the provider answered 200
}

func newFaultProxy(target string, rate float64) (*faultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	p := &faultProxy{target: u, rate: rate, counts: map[string]*atomic.Int64{},
		hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, k := range append(faultKinds, faultNone) {
		p.counts[k] = &atomic.Int64{}
	}
	return p, nil
}

func (p *faultProxy) pick() string {
	if rand.Float64() >= p.rate {
		return faultNone
	}
	return faultKinds[rand.IntN(len(faultKinds))]
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	fault := faultNone
	isToken := r.Method == http.MethodPost && r.URL.Path == "/token"
	if isToken {
		fault = p.pick()
	}
	p.counts[fault].Add(1)
	switch fault {
	case fault5xx:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1><p>upstream connect error</p></body></html>")
		return
	case faultHTML403:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Access denied</title></head><body><h1>403 Forbidden</h1><p>Request blocked by the web application firewall. Reference #18.3c2f</p></body></html>")
		return
	case faultReset:
		reset(w)
		return
	case faultStall:
		select {
		case <-time.After(time.Second + rand.N(3*time.Second)):
		case <-r.Context().Done():
		}
		reset(w)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.target.ResolveReference(&url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}).String(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.hc.Do(out)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 2<<20))
	if isToken && resp.StatusCode == http.StatusOK {
		if f, _ := url.ParseQuery(string(body)); f.Get("grant_type") == "refresh_token" {
			p.refreshes.Add(1)
		}
	}
	for k, vs := range resp.Header {
		if k == "Content-Length" {
			continue
		}
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	if fault != faultSlowBody {
		w.Write(answer)
		return
	}
	// About a second for a typical answer, in small pieces.
	rc := http.NewResponseController(w)
	for i := 0; i < len(answer); i += 16 {
		w.Write(answer[i:min(i+16, len(answer))])
		rc.Flush()
		time.Sleep(20 * time.Millisecond)
	}
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

func (p *faultProxy) summary() string {
	return fmt.Sprintf("5xx %d, HTML 403s %d, resets %d, stalls %d, slow bodies %d, clean %d",
		p.counts[fault5xx].Load(), p.counts[faultHTML403].Load(), p.counts[faultReset].Load(), p.counts[faultStall].Load(), p.counts[faultSlowBody].Load(), p.counts[faultNone].Load())
}
