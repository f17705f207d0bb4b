package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/tokentray/tokentray/bench"
)

// Figure 4's targets.
const (
	idleCPUTarget = 0.001 // of a core
	idleRSSTarget = 40e6  // bytes
	startupRuns   = 5
)

// watched is a process sampled over the idle window.
type watched struct {
	label string // what the row calls it
	pid   int
	usage bench.Usage
}

// figureIdle: the always-on process. CPU and memory of idle agents with 1
// and with N logged-in profiles (headless, and with the tray when the
// build has one) beside oidc-agent holding as many accounts, all sampled
// over the same window; then start-up to the first token served from the
// keyring.
func (r *run) figureIdle(ctx context.Context) error {
	n := r.o.profiles
	type pair struct {
		label   string
		profile int
		args    []string
	}
	setups := []pair{{"headless agent", 1, []string{"agent"}}, {"headless agent", n, []string{"agent"}}}
	tray, why, err := r.wantTray(ctx)
	if err != nil {
		return err
	}
	if tray {
		setups = append(setups, pair{"agent with tray", 1, nil}, pair{"agent with tray", n, nil})
	}
	var agents []*agentProc
	for i, s := range setups {
		name := fmt.Sprintf("idle-agent-%d", s.profile)
		if s.args == nil {
			name = fmt.Sprintf("idle-tray-%d", s.profile)
		}
		a, err := r.newAgent(name, r.prov.Issuer, profileNames(fmt.Sprintf("i%d-", i), s.profile), s.args...)
		if err != nil {
			return err
		}
		if err := r.start(ctx, a); err != nil {
			return err
		}
		if err := a.loginAll(ctx); err != nil {
			return err
		}
		for _, p := range a.profiles {
			if _, err := fetch(ctx, a.tokenURL(p)); err != nil {
				return err
			}
		}
		agents = append(agents, a)
	}
	r.logf("idle: %d tokentray agents ready", len(agents))

	var peers []*oidcAgent
	for _, count := range []int{1, n} {
		oa, err := r.startOIDCAgent(ctx, fmt.Sprintf("idle-%d", count))
		if err == nil {
			for i := range count {
				acc := fmt.Sprintf("idle%d-%02d", count, i+1)
				var rt, scope string
				if rt, scope, err = peerRefreshToken(ctx, r.prov.Issuer); err != nil {
					break
				}
				if err = oa.generate(ctx, acc, r.prov.Issuer, rt, scope); err != nil {
					break
				}
				if _, err = oa.oidc(ctx, "oidc-token", acc); err != nil {
					break
				}
			}
		}
		if err != nil {
			r.table.Note("figure 4: oidc-agent with %d accounts could not be set up, its rows have no peer: %v", count, err)
			oa = nil
		}
		peers = append(peers, oa)
	}
	r.logf("idle: oidc-agent ready; settling for 3 s, then sampling for %v", r.o.idleDur)
	if err := sleepCtx(ctx, 3*time.Second); err != nil {
		return err
	}

	var ws []*watched
	for i, a := range agents {
		ws = append(ws, &watched{label: fmt.Sprintf("%s, %s", setups[i].label, plural(setups[i].profile, "profile")), pid: a.pid()})
	}
	for i, p := range peers {
		if p != nil {
			ws = append(ws, &watched{label: "oidc-agent, " + plural([]int{1, n}[i], "account"), pid: p.pid()})
		}
	}
	first := make([]bench.ProcSample, len(ws))
	for i, w := range ws {
		if first[i], err = bench.SampleProc(w.pid); err != nil {
			return err
		}
	}
	if err := sleepCtx(ctx, r.o.idleDur); err != nil {
		return err
	}
	for i, w := range ws {
		last, err := bench.SampleProc(w.pid)
		if err != nil {
			return fmt.Errorf("%s died while idle: %w", w.label, err)
		}
		w.usage = bench.Between(first[i], last)
		r.logf("idle %s: CPU %s (%v; on-CPU %v), %.2f wakeups/s, RSS %s (peak %s)", w.label, pct(w.usage.CoreFraction()),
			w.usage.CPU, w.usage.OnCPU, w.usage.WakeupsPerSecond(), mb(w.usage.RSS), mb(w.usage.HWM))
	}

	peerOf := func(count int) *watched {
		for _, w := range ws {
			if w.label == "oidc-agent, "+plural(count, "account") {
				return w
			}
		}
		return nil
	}
	var notes []string
	for i := range agents {
		w := ws[i]
		p := peerOf(setups[i].profile)
		cpu := bench.Row{Figure: "4", Measure: fmt.Sprintf("idle CPU over %v, %s", r.o.idleDur, w.label),
			Tokentray: pct(w.usage.CoreFraction()), Baseline: "—", Ratio: "—", Target: "≤ 0.1 % of a core",
			Verdict: verdict(w.usage.CoreFraction() <= idleCPUTarget)}
		rss := bench.Row{Figure: "4", Measure: "idle RSS, " + w.label, Tokentray: mb(w.usage.RSS), Baseline: "—", Ratio: "—",
			Target: "≤ 40 MB", Verdict: verdict(w.usage.RSS <= idleRSSTarget)}
		if p != nil {
			cpu.Baseline = pct(p.usage.CoreFraction()) + " (" + p.label + ")"
			cpu.Ratio = ratio(w.usage.CoreFraction(), p.usage.CoreFraction())
			rss.Baseline = mb(p.usage.RSS) + " (" + p.label + ")"
			rss.Ratio = ratio(float64(w.usage.RSS), float64(p.usage.RSS))
		}
		r.table.Add(cpu)
		r.table.Add(rss)
		notes = append(notes, fmt.Sprintf("%s %.2f/s", w.label, w.usage.WakeupsPerSecond()))
	}
	for _, w := range ws[len(agents):] {
		notes = append(notes, fmt.Sprintf("%s %.2f/s", w.label, w.usage.WakeupsPerSecond()))
	}
	r.table.Note("figure 4: CPU is utime+stime from /proc/PID/stat (10 ms ticks: over %v one tick is %s of a core); context switches per second while idle: %s",
		r.o.idleDur, pct(0.01/r.o.idleDur.Seconds()), strings.Join(notes, "; "))
	if !tray {
		r.table.Add(bench.Row{Figure: "4", Measure: "idle CPU and RSS, agent with tray", Tokentray: "—", Baseline: "—", Ratio: "—",
			Target: "≤ 0.1 %, ≤ 40 MB", Verdict: bench.Skipped})
		r.table.Note("figure 4: the tray rows are skipped: %s", why)
	}
	for _, p := range peers {
		if p != nil {
			p.stop()
		}
	}
	return r.startup(ctx, agents[0], agents[1])
}

// wantTray decides whether to measure `tokentray` with its tray: the
// build has one when `tokentray` (no arguments) does not say otherwise.
func (r *run) wantTray(ctx context.Context) (bool, string, error) {
	if r.o.tray == "off" {
		return false, "-tray=off", nil
	}
	a, err := r.newAgent("tray-detect", r.prov.Issuer, []string{"detect"})
	if err != nil {
		return false, "", err
	}
	if err := r.spawn(a); err != nil {
		return false, "", err
	}
	defer a.stop()
	noTray := false
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !noTray {
		b, _ := os.ReadFile(a.logPath)
		noTray = strings.Contains(string(b), "this build has no tray")
		select {
		case <-a.done:
			deadline = time.Now()
		case <-time.After(50 * time.Millisecond):
		}
	}
	switch {
	case noTray && r.o.tray == "on":
		return false, "", errors.New("-tray=on, but this build of tokentray has no tray")
	case noTray:
		return false, "this build of tokentray has no tray (`tokentray` says so)", nil
	}
	select {
	case <-a.done:
		return false, "", fmt.Errorf("`tokentray` with no arguments exited at start (see %s)", a.logPath)
	default:
	}
	return true, "", nil
}

// startup restarts agents with their profiles in the keyring and times the
// way to the first token served (and, for the bigger one, to all of them),
// beside oidc-agent's way back: start the daemon, oidc-add the account
// (decrypt, refresh), oidc-token.
func (r *run) startup(ctx context.Context, one, many *agentProc) error {
	var firsts, alls []time.Duration
	for range startupRuns {
		d, _, err := r.restartTimed(ctx, one)
		if err != nil {
			return err
		}
		firsts = append(firsts, d)
		_, all, err := r.restartTimed(ctx, many)
		if err != nil {
			return err
		}
		alls = append(alls, all)
	}
	peerRow := "—"
	peerRatio := "—"
	var peerTimes []time.Duration
	for i := range startupRuns {
		d, err := r.peerStartup(ctx, i)
		if err != nil {
			r.table.Note("figure 4: oidc-agent's start-up could not be timed: %v", err)
			peerTimes = nil
			break
		}
		peerTimes = append(peerTimes, d)
	}
	first := median(firsts)
	if len(peerTimes) > 0 {
		pm := median(peerTimes)
		peerRow = dur(pm) + " (oidc-agent start, oidc-add, oidc-token)"
		peerRatio = ratio(float64(first), float64(pm))
	}
	r.table.Add(bench.Row{Figure: "4", Measure: fmt.Sprintf("start-up to the first token served from the keyring, 1 profile (median of %d)", startupRuns),
		Tokentray: dur(first), Baseline: peerRow, Ratio: peerRatio, Target: "—", Verdict: bench.Info})
	r.table.Add(bench.Row{Figure: "4", Measure: fmt.Sprintf("start-up until all %d profiles are served from the keyring (median of %d)", len(many.profiles), startupRuns),
		Tokentray: dur(median(alls)), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info})
	r.table.Note("figure 4: start-up is timed from just before exec to the first HTTP 200 on the unix socket, polled every %v with a fresh connection", pollEvery)
	return nil
}

// pollEvery is the start-up timer's resolution.
const pollEvery = 250 * time.Microsecond

// restartTimed stops a and starts it again, polling its socket until the
// first profile serves a token (first) and then every profile does (all).
func (r *run) restartTimed(ctx context.Context, a *agentProc) (first, all time.Duration, err error) {
	a.stop()
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", a.socket)
		}}}
	t0 := time.Now()
	if err := r.spawn(a); err != nil {
		return 0, 0, err
	}
	deadline := t0.Add(20 * time.Second)
	for i, p := range a.profiles {
		for {
			resp, err := hc.Get("http://tokentray.sock/v1/token/" + p)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				return 0, 0, fmt.Errorf("agent %s: profile %s not served 20 s after a restart", a.name, p)
			}
			time.Sleep(pollEvery)
		}
		if i == 0 {
			first = time.Since(t0)
		}
	}
	return first, time.Since(t0), nil
}

// peerStartup times oidc-agent's way back to a token: a fresh daemon, the
// account loaded from its encrypted file, a token read.
func (r *run) peerStartup(ctx context.Context, i int) (time.Duration, error) {
	const account = "idle1-01"
	t0 := time.Now()
	oa, err := r.startOIDCAgent(ctx, fmt.Sprintf("startup-%d", i))
	if err != nil {
		return 0, err
	}
	defer oa.stop()
	if err := oa.add(ctx, account); err != nil {
		return 0, err
	}
	out, err := oa.oidc(ctx, "oidc-token", account)
	if err != nil {
		return 0, err
	}
	d := time.Since(t0)
	if sc := bufio.NewScanner(strings.NewReader(out)); !sc.Scan() || len(sc.Text()) < 20 {
		return 0, fmt.Errorf("oidc-token printed no token")
	}
	return d, nil
}
