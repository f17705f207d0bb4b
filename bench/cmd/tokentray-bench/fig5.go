package main

import (
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/tokentray/tokentray/bench"
)

const loginRuns = 5

// figureLogin: from `tokentray login` to the first token served, with the
// scripted browser, split into the provider's time (its own timing of each
// request it served), the scripted browser's own work, and tokentray's
// time (the rest).
func (r *run) figureLogin(ctx context.Context) error {
	const profile = "login"
	a, err := r.newAgent("login", r.prov.Issuer, []string{profile}, "agent")
	if err != nil {
		return err
	}
	if err := r.start(ctx, a); err != nil {
		return err
	}
	var totals, provs, browsers, tks []time.Duration
	var requests int
	for i := range loginRuns {
		if i > 0 {
			if _, err := a.client.Logout(ctx, profile); err != nil {
				return err
			}
		}
		if _, err := r.prov.Timings(ctx); err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, r.bin, "login", profile)
		cmd.Env = a.env
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("tokentray login: %w: %s", err, out)
		}
		for {
			if _, err := fetch(ctx, a.tokenURL(profile)); err == nil {
				break
			} else if time.Since(t0) > 30*time.Second {
				return fmt.Errorf("no token 30 s after the login: %w", err)
			}
			time.Sleep(pollEvery)
		}
		total := time.Since(t0)
		timings, err := r.prov.Timings(ctx)
		if err != nil {
			return err
		}
		var prov time.Duration
		n := 0
		for _, t := range timings {
			if !t.Start.Before(t0) && t.Start.Before(t0.Add(total)) {
				prov += t.Dur
				n++
			}
		}
		br, err := lastBrowserRecord(a.browserLog)
		if err != nil {
			return err
		}
		if br.Err != "" {
			return fmt.Errorf("the scripted browser: %s", br.Err)
		}
		own := max(br.Total-br.ProviderRT-br.ClientRT, 0)
		tk := total - prov - own
		r.logf("login %d: %s in all; provider %s in %d requests; scripted browser %s; tokentray %s", i+1, dur(total), dur(prov), n, dur(own), dur(tk))
		totals, provs, browsers, tks = append(totals, total), append(provs, prov), append(browsers, own), append(tks, tk)
		requests = n
	}
	tk, pv := median(tks), median(provs)
	r.table.Add(bench.Row{Figure: "5", Measure: fmt.Sprintf("login to first token served: total (median of %d)", loginRuns),
		Tokentray: dur(median(totals)), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info})
	r.table.Add(bench.Row{Figure: "5", Measure: "login: tokentray's time (total − provider − scripted browser)",
		Tokentray: dur(tk), Baseline: dur(pv) + " (provider, " + plural(requests, "request") + ")", Ratio: ratio(float64(tk), float64(pv)),
		Target: "—", Verdict: bench.Info})
	r.table.Note("figure 5: the scripted browser's own work (parsing pages, its process start not included) was %s of each login; the provider's time is the sum of its requests' times measured inside it (bench/provider-timing.cjs)",
		dur(median(browsers)))
	return nil
}
