package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokentray/tokentray/app/session"
	"github.com/tokentray/tokentray/bench"
)

// rotationTTL is how long access tokens live in figure 3; every refresh
// rotates the refresh token (node-oidc-provider revokes the whole grant
// when a rotated one is used again).
const (
	rotationTTL     = 2 * time.Second
	rotationReaders = 200
)

// seen is what one reader saw of one access token.
type seen struct {
	first, last time.Time
	reads       int64
	// Reads before the provider's expiry was known, checked after the run.
	unverified         int64
	lastSent, lastDone time.Time // of the last of them
}

// rotationCheck checks every answer of the readers against the token's
// announced expiry (expires_at) and the expiry the provider itself gives
// (introspection, once per token, off the readers' path). A token is
// served expired when it had expired before the request was even sent; it
// arrived expired when it expired while the answer was on its way (the
// read took longer than the token had left).
type rotationCheck struct {
	prov    *bench.Provider
	perConn []map[string]*seen // one per reader: no lock on the read path
	exp     sync.Map           // token → provider's expiry (time.Time)
	newTok  chan string
	served  atomic.Int64 // expired (either expiry) before the request was sent
	arrived atomic.Int64 // expired while the answer was on its way
	minLeft atomic.Int64 // least time from sending to the provider's expiry, ns
}

func (c *rotationCheck) check(conn int, status int, body []byte, sent, done time.Time) error {
	if status != 200 {
		return fmt.Errorf("HTTP %d: %.200s", status, body)
	}
	var t struct {
		AccessToken string    `json:"access_token"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return fmt.Errorf("not a token answer: %v", err)
	}
	m := c.perConn[conn]
	s := m[t.AccessToken]
	if s == nil {
		s = &seen{first: done}
		m[t.AccessToken] = s
		select {
		case c.newTok <- t.AccessToken:
		default: // the introspector is busy; another reader will ask again
		}
	}
	s.last = done
	s.reads++
	exp := t.ExpiresAt
	if v, ok := c.exp.Load(t.AccessToken); ok {
		exp = earliest(exp, v.(time.Time))
		left := v.(time.Time).Sub(sent)
		for {
			cur := c.minLeft.Load()
			if int64(left) >= cur || c.minLeft.CompareAndSwap(cur, int64(left)) {
				break
			}
		}
	} else {
		s.unverified++
		s.lastSent, s.lastDone = sent, done
	}
	c.classify(exp, sent, done, 1)
	return nil
}

// classify counts n reads sent at sent and read at done of a token that
// expires at exp.
func (c *rotationCheck) classify(exp, sent, done time.Time, n int64) {
	switch {
	case !sent.Before(exp):
		c.served.Add(n)
	case !done.Before(exp):
		c.arrived.Add(n)
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// settle checks the reads made before their token's provider expiry was
// known, now that it is (introspecting what is still missing); it returns
// how many could not be checked against the provider.
func (c *rotationCheck) settle(ctx context.Context) (unchecked int64) {
	for _, m := range c.perConn {
		for tok, s := range m {
			if s.unverified == 0 {
				continue
			}
			v, ok := c.exp.Load(tok)
			if !ok {
				if active, exp, err := c.prov.Introspect(ctx, "tokentray", tok); err == nil && active {
					v, ok = exp, true
					c.exp.Store(tok, exp)
				}
			}
			if !ok {
				unchecked += s.unverified
				continue
			}
			// The last of these reads is the latest: if it was fine, all were;
			// if not, count all of them (an upper bound).
			c.classify(v.(time.Time), s.lastSent, s.lastDone, s.unverified)
		}
	}
	return unchecked
}

// introspect learns each new token's expiry from the provider.
func (c *rotationCheck) introspect(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case tok := <-c.newTok:
			if _, ok := c.exp.Load(tok); ok {
				continue
			}
			if active, exp, err := c.prov.Introspect(ctx, "tokentray", tok); err == nil && active {
				c.exp.Store(tok, exp)
			} else if err == nil {
				c.exp.Store(tok, time.Time{}) // inactive when first seen: every read counts as expired
			}
		}
	}
}

// parseOnly does the readers' own work on an answer (decode, note the
// token) without the expiry checks: the baseline's readers do it too, so
// that the generator costs the same on both sides.
func parseOnly(m map[string]*seen, status int, body []byte, done time.Time) error {
	if status != 200 {
		return fmt.Errorf("HTTP %d", status)
	}
	var t struct {
		AccessToken string    `json:"access_token"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return fmt.Errorf("not a token answer: %v", err)
	}
	s := m[t.AccessToken]
	if s == nil {
		s = &seen{first: done}
		m[t.AccessToken] = s
	}
	s.last = done
	s.reads++
	return nil
}

// figureRotation: 200 readers while access tokens live 2 s and every
// refresh rotates; the same readers against the bare server as baseline.
func (r *run) figureRotation(ctx context.Context) error {
	prov, err := bench.StartProvider(ctx, r.root, bench.ProviderOptions{AccessTokenTTL: rotationTTL, Rotate: true, Log: r.logFile("provider-rotation.log")})
	if err != nil {
		return err
	}
	defer prov.Stop()
	const profile = "rot"
	a, err := r.newAgent("rotation", prov.Issuer, []string{profile}, "agent")
	if err != nil {
		return err
	}
	if err := r.start(ctx, a); err != nil {
		return err
	}
	defer a.stop()
	if err := a.loginAll(ctx); err != nil {
		return err
	}
	body, err := fetch(ctx, a.tokenURL(profile))
	if err != nil {
		return err
	}
	b, err := r.startBaseline("rotation-baseline", body)
	if err != nil {
		return err
	}
	defer b.stop()

	c := &rotationCheck{prov: prov, newTok: make(chan string, 1024)}
	c.minLeft.Store(int64(time.Hour))
	for range rotationReaders {
		c.perConn = append(c.perConn, map[string]*seen{})
	}
	ictx, stopIntrospect := context.WithCancel(ctx)
	defer stopIntrospect()
	go c.introspect(ictx)
	if _, err := prov.Timings(ctx); err != nil {
		return err
	}
	r.logf("rotation: %d readers for %v, tokens live %v", rotationReaders, r.o.rotateDur, rotationTTL)
	start := time.Now()
	res, err := bench.Load{URL: a.tokenURL(profile), Conns: rotationReaders, Duration: r.o.rotateDur, Check: c.check}.Run(ctx)
	end := time.Now()
	stopIntrospect()
	if err != nil {
		return err
	}
	unchecked := c.settle(ctx)
	timings, err := prov.Timings(ctx)
	if err != nil {
		return err
	}
	st, err := a.client.Status(ctx)
	if err != nil {
		return err
	}
	var refreshes, refused int
	for _, t := range timings {
		if t.Method == "POST" && t.Path == "/token" && t.Start.Before(end) && !t.Start.Before(start) {
			if t.Status == 200 {
				refreshes++
			} else {
				refused++
			}
		}
	}
	tokens := map[string]bool{}
	for _, m := range c.perConn {
		for tok := range m {
			tokens[tok] = true
		}
	}
	rotations := len(tokens) - 1
	r.logf("rotation: %d reads (%d failed), %d tokens, %d refreshes (%d refused), %d served expired, %d arrived expired, %d not checked; p99 %s max %s",
		res.Requests, res.Errors, len(tokens), refreshes, refused, c.served.Load(), c.arrived.Load(), unchecked, dur(res.Hist.Quantile(0.99)), dur(res.Hist.Max()))

	r.logf("rotation baseline: the same readers (parsing every answer the same way) against the bare server")
	perConn := make([]map[string]*seen, rotationReaders)
	for i := range perConn {
		perConn[i] = map[string]*seen{}
	}
	base, err := bench.Load{URL: "http://" + b.tcp + "/v1/token/" + profile, Conns: rotationReaders, Duration: r.o.rotateDur,
		Check: func(conn, status int, body []byte, _, done time.Time) error {
			return parseOnly(perConn[conn], status, body, done)
		}}.Run(ctx)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("reads during rotation (%d readers, %v tokens, %v)", rotationReaders, rotationTTL, r.o.rotateDur)
	r.table.Add(bench.Row{Figure: "3", Measure: what + ": max latency",
		Tokentray: dur(res.Hist.Max()), Baseline: dur(base.Hist.Max()) + " (bare net/http, no rotation)",
		Ratio: ratio(float64(res.Hist.Max()), float64(base.Hist.Max())), Target: "—", Verdict: bench.Info})
	r.table.Add(bench.Row{Figure: "3", Measure: what + ": p99 latency",
		Tokentray: dur(res.Hist.Quantile(0.99)), Baseline: dur(base.Hist.Quantile(0.99)),
		Ratio: ratio(float64(res.Hist.Quantile(0.99)), float64(base.Hist.Quantile(0.99))), Target: "—", Verdict: bench.Info})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: reads served / failed",
		Tokentray: fmt.Sprintf("%d / %d", res.Requests, res.Errors), Baseline: fmt.Sprintf("%d / %d", base.Requests, base.Errors),
		Ratio: ratio(float64(res.Requests), float64(base.Requests)), Target: "0 failed", Verdict: verdict(res.Errors == 0)})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: expired tokens served (expired before the request was sent)",
		Tokentray: fmt.Sprint(c.served.Load()), Baseline: "—", Ratio: "—", Target: "0", Verdict: verdict(c.served.Load() == 0 && unchecked == 0)})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: tokens that expired while the answer was on its way",
		Tokentray: fmt.Sprint(c.arrived.Load()), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info})
	okRefreshes := refused == 0 && refreshes >= rotations && refreshes <= rotations+1
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: refreshes done / expected (one per rotation)",
		Tokentray: fmt.Sprintf("%d / %d", refreshes, rotations), Baseline: "—", Ratio: "—", Target: "equal, 0 refused", Verdict: verdict(okRefreshes)})
	r.table.Note("figure 3: %d distinct tokens served, %d refreshes refused by the provider; every read checked against the token's expires_at and its expiry at the provider (introspection), %d not checkable; the least time from sending a request to the provider's expiry of the token it got: %s",
		len(tokens), refused, unchecked, dur(time.Duration(c.minLeft.Load())))
	for _, p := range st.Profiles {
		if p.Profile == profile && (p.State != session.Valid && p.State != session.Refreshing || p.Failures > 0) {
			r.table.Note("figure 3: the profile ended %s with %d failures: %s", p.State, p.Failures, p.LastError)
		}
	}
	return nil
}
