package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
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
	// Reads made before the provider's expiry of the token was known,
	// checked after the run.
	pending []read
}

// read is one answer, for checking later.
type read struct {
	sent, done time.Time
	claim      time.Time // its expires_at
}

// provExp is what the provider said of a token. Introspection answers
// "inactive" without an expiry; a token it called inactive was dead by the
// time the answer came (at), which is all that is known then. A zero at
// means the provider could not be asked.
type provExp struct {
	at    time.Time
	bound bool // at is when it was known dead, not its expiry
}

// rotationCheck checks every answer of the readers against the token's
// announced expiry (expires_at) and against the provider's (introspection,
// once per token, off the readers' path). A token was served expired when
// it had expired before its request was even sent; it arrived expired when
// it expired while the answer was on its way (the read took longer than
// the token had left).
type rotationCheck struct {
	prov    *bench.Provider
	perConn []map[string]*seen // one per reader: no lock on the read path
	exp     sync.Map           // token → provExp
	newTok  chan string
	// Counts of reads: served expired by its own expires_at, by the
	// provider's expiry; arrived expired; checked against expires_at only.
	servedClaim, servedProvider, arrived, claimOnly atomic.Int64
	minLeft                                         atomic.Int64 // least time from sending to the provider's expiry, ns
	// firstSeen is when any reader first had each token (token → time):
	// no later than the agent received it, so the lifetime measured from
	// it, and the serve margin of that, are never more than the agent's.
	firstSeen sync.Map
	// belowMargin counts reads served with less than the serve margin left
	// by their own expires_at (session.ServeMargin of the lifetime seen).
	belowMargin atomic.Int64
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
	v, _ := c.firstSeen.LoadOrStore(t.AccessToken, s.first)
	if life := t.ExpiresAt.Sub(v.(time.Time)); life > 0 && t.ExpiresAt.Sub(sent) < session.ServeMargin(life, session.DefaultServeFloor) {
		c.belowMargin.Add(1)
	}
	rd := read{sent: sent, done: done, claim: t.ExpiresAt}
	if v, ok := c.exp.Load(t.AccessToken); ok {
		c.classify(rd, v.(provExp))
	} else {
		s.pending = append(s.pending, rd)
	}
	return nil
}

// classify counts one read against its own expires_at and what the
// provider said of its token.
func (c *rotationCheck) classify(rd read, pe provExp) {
	switch {
	case !rd.sent.Before(rd.claim):
		c.servedClaim.Add(1)
		return
	case !pe.at.IsZero() && !rd.sent.Before(pe.at):
		c.servedProvider.Add(1)
		return
	}
	if pe.bound {
		c.claimOnly.Add(1)
	} else {
		left := pe.at.Sub(rd.sent)
		for {
			cur := c.minLeft.Load()
			if int64(left) >= cur || c.minLeft.CompareAndSwap(cur, int64(left)) {
				break
			}
		}
	}
	if !rd.done.Before(rd.claim) || (!pe.bound && !rd.done.Before(pe.at)) {
		c.arrived.Add(1)
	}
}

// settle checks the reads made before their token's provider expiry was
// known, introspecting what is still missing.
func (c *rotationCheck) settle(ctx context.Context) {
	for _, m := range c.perConn {
		for tok, s := range m {
			if len(s.pending) == 0 {
				continue
			}
			v, ok := c.exp.Load(tok)
			if !ok {
				v = c.ask(ctx, tok)
			}
			for _, rd := range s.pending {
				c.classify(rd, v.(provExp))
			}
			s.pending = nil
		}
	}
}

// ask introspects a token and remembers the answer. When the provider
// could not be asked, nothing is known (at is zero).
func (c *rotationCheck) ask(ctx context.Context, tok string) provExp {
	active, exp, err := c.prov.Introspect(ctx, "tokentray", tok)
	switch {
	case err != nil:
		return provExp{bound: true}
	case !active:
		exp = time.Now()
	}
	pe := provExp{at: exp, bound: !active}
	c.exp.Store(tok, pe)
	return pe
}

// introspect learns each new token's expiry from the provider.
func (c *rotationCheck) introspect(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case tok := <-c.newTok:
			if _, ok := c.exp.Load(tok); !ok {
				c.ask(ctx, tok)
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
	prov, err := bench.StartProvider(ctx, r.root, bench.ProviderOptions{AccessTokenTTL: rotationTTL, Rotate: true,
		TokenDelay: r.o.slowToken, Log: r.logFile("provider-rotation.log")})
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
	r.logf("rotation: %d readers for %v, tokens live %v, token requests held %v", rotationReaders, r.o.rotateDur, rotationTTL, r.o.slowToken)
	if r.o.slowToken > 0 {
		r.table.Note("figure 3: a stress run: the provider held every token request %v", r.o.slowToken)
	}
	start := time.Now()
	res, err := bench.Load{URL: a.tokenURL(profile), Conns: rotationReaders, Duration: r.o.rotateDur, Check: c.check}.Run(ctx)
	end := time.Now()
	stopIntrospect()
	if err != nil {
		return err
	}
	c.settle(ctx)
	served := c.servedClaim.Load() + c.servedProvider.Load()
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
	r.logf("rotation: %d reads (%d failed), %d tokens, %d refreshes (%d refused), %d served expired, %d arrived expired, %d checked against expires_at only; p99 %s max %s",
		res.Requests, res.Errors, len(tokens), refreshes, refused, served, c.arrived.Load(), c.claimOnly.Load(), dur(res.Hist.Quantile(0.99)), dur(res.Hist.Max()))

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
		Tokentray: fmt.Sprint(served), Baseline: "—", Ratio: "—", Target: "0", Verdict: verdict(served == 0)})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: tokens rejected by the provider (served after the provider's expiry of the token, by introspection)",
		Tokentray: fmt.Sprint(c.servedProvider.Load()), Baseline: "—", Ratio: "—", Target: "0", Verdict: verdict(c.servedProvider.Load() == 0)})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: served below the margin (less than max(life/10, 30 s), at most life/2, left by expires_at)",
		Tokentray: fmt.Sprint(c.belowMargin.Load()), Baseline: "—", Ratio: "—", Target: "0", Verdict: verdict(c.belowMargin.Load() == 0)})
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: tokens that expired while the answer was on its way",
		Tokentray: fmt.Sprint(c.arrived.Load()), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info})
	okRefreshes := refused == 0 && refreshes >= rotations && refreshes <= rotations+1
	r.table.Add(bench.Row{Figure: "3", Measure: "reads during rotation: refreshes done / expected (one per rotation)",
		Tokentray: fmt.Sprintf("%d / %d", refreshes, rotations), Baseline: "—", Ratio: "—", Target: "equal, 0 refused", Verdict: verdict(okRefreshes)})
	r.table.Note("figure 3: %d distinct tokens served, %d refreshes refused by the provider; every read checked against its expires_at and the provider's expiry of its token (introspection; %d reads of tokens the provider had already dropped when asked were checked against expires_at and the time of that answer only); served expired: %d by expires_at, %d by the provider; the least time from sending a request to the provider's expiry of the token it got: %s",
		len(tokens), refused, c.claimOnly.Load(), c.servedClaim.Load(), c.servedProvider.Load(), dur(time.Duration(c.minLeft.Load())))
	for _, p := range st.Profiles {
		if p.Profile == profile && (p.State != apiclient.Valid && p.State != apiclient.Refreshing || p.Failures > 0) {
			r.table.Note("figure 3: the profile ended %s with %d failures: %s", p.State, p.Failures, p.LastError)
		}
	}
	return nil
}
