package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/tokentray/tokentray/bench"
)

// readPoint is one measured round of a read series.
type readPoint struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// readTarget is where a series sends its reads.
type readTarget struct {
	url    string
	socket string // unix socket; "" for TCP
}

// figureReads: token reads over the local API, tokentray beside the bare
// net/http server, with wrk (TCP) and the Go generator (TCP and unix
// socket), 8 and 64 keep-alive connections. Rounds alternate between the
// two servers and the median round is reported, so that a noisy neighbour
// hurts both sides alike.
func (r *run) figureReads(ctx context.Context) error {
	const profile = "reads"
	a, err := r.newAgent("reads", r.prov.Issuer, []string{profile}, "agent")
	if err != nil {
		return err
	}
	if err := r.start(ctx, a); err != nil {
		return err
	}
	if err := a.loginAll(ctx); err != nil {
		return err
	}
	body, err := fetch(ctx, a.tokenURL(profile))
	if err != nil {
		return err
	}
	b, err := r.startBaseline("reads-baseline", body)
	if err != nil {
		return err
	}
	r.logf("token answer: %d bytes; baseline answers the same bytes at %s and %s", len(body), b.tcp, b.unix)

	path := "/v1/token/" + profile
	for _, conns := range []int{8, 64} {
		for _, tool := range []string{"wrk", "go-tcp", "go-unix"} {
			tk := readTarget{url: "http://" + a.listen + path}
			bs := readTarget{url: "http://" + b.tcp + path}
			label := map[string]string{"wrk": "TCP, wrk", "go-tcp": "TCP, Go client", "go-unix": "unix socket, Go client"}[tool]
			if tool == "go-unix" {
				tk = readTarget{url: "http://tokentray.sock" + path, socket: a.socket}
				bs = readTarget{url: "http://tokentray.sock" + path, socket: b.unix}
			}
			if tool == "wrk" { // wrk has no warm-up of its own
				for _, t := range []readTarget{tk, bs} {
					if _, err := bench.Wrk(ctx, t.url, conns, 2, time.Second); err != nil {
						return err
					}
				}
			}
			var tkPts, bsPts []readPoint
			for round := range r.o.readRounds {
				pair := []*[]readPoint{&tkPts, &bsPts}
				targets := []readTarget{tk, bs}
				if round%2 == 1 {
					pair[0], pair[1], targets[0], targets[1] = pair[1], pair[0], targets[1], targets[0]
				}
				for i, t := range targets {
					p, err := r.readRound(ctx, tool, t, conns)
					if err != nil {
						return err
					}
					side := map[bool]string{true: "tokentray", false: "baseline"}[t == tk]
					r.logf("  round %d %s: %s p50 %s p99 %s", round+1, side, rate(p.rps), dur(p.p50), dur(p.p99))
					*pair[i] = append(*pair[i], p)
				}
			}
			// Each round's two runs are back to back, under the same noise:
			// the ratio is the median of the rounds' ratios.
			var rpsRatios, p99Ratios []float64
			for i := range tkPts {
				rpsRatios = append(rpsRatios, tkPts[i].rps/bsPts[i].rps)
				p99Ratios = append(p99Ratios, float64(tkPts[i].p99)/float64(bsPts[i].p99))
			}
			spread := func(xs []float64) string { // the rounds' range, for the reader to judge the noise
				return fmt.Sprintf(" (%s–%s)", sig(slices.Min(xs)), sig(slices.Max(xs)))
			}
			rpsSpread, p99Spread := spread(rpsRatios), spread(p99Ratios)
			rpsRatio, p99Ratio := median(rpsRatios), median(p99Ratios)
			tkP, bsP := medianPoint(tkPts), medianPoint(bsPts)
			r.logf("reads %s, %d conns: tokentray %s p50 %s p99 %s; baseline %s p50 %s p99 %s; ratios %.2f, %.2f", label, conns,
				rate(tkP.rps), dur(tkP.p50), dur(tkP.p99), rate(bsP.rps), dur(bsP.p50), dur(bsP.p99), rpsRatio, p99Ratio)
			what := fmt.Sprintf("token reads, %s, %d conns", label, conns)
			r.table.Add(bench.Row{Figure: "1", Measure: what + ": requests/s",
				Tokentray: rate(tkP.rps), Baseline: rate(bsP.rps) + " (bare net/http)", Ratio: times(rpsRatio) + rpsSpread,
				Target: "≥ 0.8×", Verdict: verdict(rpsRatio >= 0.8)})
			r.table.Add(bench.Row{Figure: "1", Measure: what + ": latency p50 / p99",
				Tokentray: dur(tkP.p50) + " / " + dur(tkP.p99), Baseline: dur(bsP.p50) + " / " + dur(bsP.p99),
				Ratio: times(p99Ratio) + p99Spread, Target: "p99 ≤ 1.5×", Verdict: verdict(p99Ratio <= 1.5)})
			if tkP.errors+bsP.errors > 0 {
				r.table.Note("figure 1 (%s): %d failed reads from tokentray, %d from the baseline", what, tkP.errors, bsP.errors)
			}
		}
	}
	r.table.Note("figure 1: %d rounds of %v per series, each round running both servers back to back (tokentray first in odd rounds, the baseline in even ones); values are the medians over the rounds, ratios the median of the rounds' ratios (in parentheses: their range over the rounds); wrk -t2, the Go client one goroutine and net/http client per connection; all on the same %d CPUs as the servers",
		r.o.readRounds, r.o.readDur, r.machine.CPUs)
	return nil
}

// readRound measures one round against t.
func (r *run) readRound(ctx context.Context, tool string, t readTarget, conns int) (readPoint, error) {
	if tool == "wrk" {
		w, err := bench.Wrk(ctx, t.url, conns, 2, r.o.readDur)
		if err != nil {
			return readPoint{}, err
		}
		return readPoint{rps: w.RPS, p50: w.P50, p99: w.P99, errors: w.Errors}, nil
	}
	res, err := bench.Load{URL: t.url, Socket: t.socket, Conns: conns, Warmup: 500 * time.Millisecond, Duration: r.o.readDur}.Run(ctx)
	if err != nil {
		return readPoint{}, err
	}
	return readPoint{rps: res.RPS(), p50: res.Hist.Quantile(0.5), p99: res.Hist.Quantile(0.99), errors: res.Errors}, nil
}

// medianPoint takes the median of each figure over the rounds.
func medianPoint(ps []readPoint) readPoint {
	var rps []float64
	var p50, p99 []time.Duration
	var errs int64
	for _, p := range ps {
		rps, p50, p99 = append(rps, p.rps), append(p50, p.p50), append(p99, p.p99)
		errs += p.errors
	}
	return readPoint{rps: median(rps), p50: median(p50), p99: median(p99), errors: errs}
}

// fetch GETs url and returns the body of a 200 answer.
func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %.200s", url, resp.StatusCode, b)
	}
	return b, nil
}
