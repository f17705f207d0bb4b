package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tokentray/tokentray/bench"
)

// hyperfineRuns is how often each command runs, in hyperfineRounds rounds
// (each after 20 warm-up runs).
const (
	hyperfineRuns   = 1000
	hyperfineRounds = 5
)

// figureTokenCommand: `tokentray token PROFILE` against `oidc-token ACCOUNT`,
// both serving the same provider's cached token, timed by hyperfine with
// process start included. It also checks that the token command touches
// neither the keyring (D-Bus) nor a display.
func (r *run) figureTokenCommand(ctx context.Context) error {
	const profile, account = "cli", "bench-cli"
	a, err := r.newAgent("cli", r.prov.Issuer, []string{profile}, "agent")
	if err != nil {
		return err
	}
	if err := r.start(ctx, a); err != nil {
		return err
	}
	if err := a.loginAll(ctx); err != nil {
		return err
	}
	peer := "oidc-token (oidc-agent)"
	oa, err := r.startOIDCAgent(ctx, "cli")
	if err == nil {
		var rt, scope string
		if rt, scope, err = peerRefreshToken(ctx, r.prov.Issuer); err == nil {
			if err = oa.generate(ctx, account, r.prov.Issuer, rt, scope); err == nil {
				_, err = oa.oidc(ctx, "oidc-token", account)
			}
		}
	}
	if err != nil {
		r.table.Note("figure 2: oidc-agent could not be set up, its row is left out: %v", err)
		oa = nil
	}

	// The token command must not start the GUI toolkit nor read the keyring.
	contacts, err := r.sentinelCheck(ctx, a, profile)
	if err != nil {
		return err
	}
	r.table.Add(bench.Row{Figure: "2", Measure: "`tokentray token`: connections to D-Bus (keyring), X11, Wayland",
		Tokentray: fmt.Sprintf("%d in 3 runs", contacts), Baseline: "—", Ratio: "—", Target: "0", Verdict: verdict(contacts == 0)})

	if _, err := r.prov.Timings(ctx); err != nil { // forget what came before
		return err
	}
	env := append(append([]string(nil), a.env...), oa.envOrNil()...)
	cmds := []string{r.bin + " token " + profile}
	if oa != nil {
		cmds = append(cmds, "oidc-token "+account)
	}
	// Where the time goes: the tokentray binary's own start, any C and
	// any Go program's start, Go clients that do only the token read, and
	// the front without its C path.
	floors := []struct{ cmd, what string }{{r.bin + " version", "any other command: `tokentray version` (the front hands over to tokentray-agent)"}}
	for _, f := range []struct{ name, args, what string }{
		{"/bin/true", "", "floor: any C program (/bin/true)"},
		{"floor-hello", "", "floor: any Go program (hello world, bench/cmd/floor-hello)"},
		{"floor-token", " " + profile, "floor: a Go client doing only the token read (net/http, JSON: bench/cmd/floor-token)"},
		{"floor-raw", " " + profile, "floor: the token read in Go with raw system calls (bench/cmd/floor-raw)"},
		{"floor-front-go", " token " + profile, "`tokentray token` built without cgo: Go's path alone (app/fasttoken; floor-front-go)"},
	} {
		path := f.name
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.o.floorDir, f.name)
		}
		if _, err := os.Stat(path); err != nil {
			r.table.Note("figure 2: %s is not built (scripts/bench.sh builds it), its row is left out", path)
			continue
		}
		abs, _ := filepath.Abs(path)
		floors = append(floors, struct{ cmd, what string }{abs + f.args, f.what})
	}
	for _, f := range floors {
		cmds = append(cmds, f.cmd)
	}
	// hyperfine runs one command after the other; on a shared machine the
	// noise drifts between them. So: rounds, each timing every command, in
	// an order rotated from round to round; each figure is the median of
	// its rounds' medians, each ratio the median of the rounds' ratios.
	rounds, runs := hyperfineRounds, hyperfineRuns/hyperfineRounds
	if r.o.quick {
		rounds, runs = 1, 100
	}
	r.logf("hyperfine: %d rounds of %d runs of %s", rounds, runs, strings.Join(cmds, ", "))
	medians := make([][]time.Duration, len(cmds)) // [command][round]
	var means, sds [2][]time.Duration
	for round := range rounds {
		order := make([]int, len(cmds))
		for i := range order {
			order[i] = (i + round) % len(cmds)
		}
		var cs []string
		for _, i := range order {
			cs = append(cs, cmds[i])
		}
		res, err := bench.Hyperfine(ctx, r.out, 20, runs, env, cs...)
		if err != nil {
			return err
		}
		for k, i := range order {
			medians[i] = append(medians[i], res[k].Median)
			if i < 2 {
				means[i] = append(means[i], res[k].Mean)
				sds[i] = append(sds[i], res[k].Stddev)
			}
		}
	}
	tl, err := r.prov.Timings(ctx)
	if err != nil {
		return err
	}
	// ratioTo is the median over the rounds of command i's median over
	// command j's, with the range.
	ratioTo := func(i, j int) (float64, string) {
		var xs []float64
		for k := range medians[i] {
			xs = append(xs, float64(medians[i][k])/float64(medians[j][k]))
		}
		return median(append([]float64(nil), xs...)), fmt.Sprintf("%s (%s–%s)", times(median(append([]float64(nil), xs...))), sig(slices.Min(xs)), sig(slices.Max(xs)))
	}
	med := func(i int) time.Duration { return median(append([]time.Duration(nil), medians[i]...)) }
	row := bench.Row{Figure: "2", Measure: fmt.Sprintf("`tokentray token` wall time per call, process start included (%d runs)", rounds*runs),
		Tokentray: dur(med(0)), Baseline: "—", Ratio: "—", Target: "≤ 1× oidc-token", Verdict: bench.Skipped}
	first := 1 // index of the first floor command
	if oa != nil {
		first = 2
		rt, cell := ratioTo(0, 1)
		row.Baseline = dur(med(1)) + " (" + peer + ")"
		row.Ratio = cell
		row.Verdict = verdict(rt <= 1)
		r.table.Note("figure 2: %d rounds of %d runs per command, the order rotated each round; hyperfine's means over the rounds: tokentray %s ± %s, oidc-token %s ± %s; the provider saw %d requests meanwhile (0: both served their cached token)",
			rounds, runs, dur(median(means[0])), dur(median(sds[0])), dur(median(means[1])), dur(median(sds[1])), len(tl))
	}
	r.table.Add(row)
	for i, f := range floors {
		fr := bench.Row{Figure: "2", Measure: f.what, Tokentray: dur(med(first + i)), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info}
		if oa != nil {
			fr.Baseline = dur(med(1)) + " (" + peer + ")"
			_, fr.Ratio = ratioTo(first+i, 1)
		}
		r.table.Add(fr)
	}
	return nil
}

// envOrNil is the environment oidc-token needs, nil without an agent.
func (a *oidcAgent) envOrNil() []string {
	if a == nil {
		return nil
	}
	return []string{"OIDC_SOCK=" + a.sock}
}

// sentinelCheck runs `tokentray token` three times with D-Bus, X11 and
// Wayland addresses that point at listeners of ours, and counts the
// connections they got: a token read must need none of them.
func (r *run) sentinelCheck(ctx context.Context, a *agentProc, profile string) (int64, error) {
	var contacts atomic.Int64
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	listen := func(path string) error {
		os.Remove(path)
		l, err := net.Listen("unix", path)
		if err != nil {
			return err
		}
		lns = append(lns, l)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				contacts.Add(1)
				c.Close()
			}
		}()
		return nil
	}
	bus := filepath.Join(r.rundir, "sentinel-bus")
	wayland := filepath.Join(r.rundir, "sentinel-wayland")
	display := ""
	for n := 300; n < 400; n++ {
		p := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(p); os.IsNotExist(err) {
			os.MkdirAll("/tmp/.X11-unix", 0o1777)
			if err := listen(p); err != nil {
				return 0, err
			}
			defer os.Remove(p)
			display = fmt.Sprintf(":%d", n)
			break
		}
	}
	if display == "" {
		return 0, fmt.Errorf("no free X display number for the sentinel")
	}
	for _, p := range []string{bus, wayland} {
		if err := listen(p); err != nil {
			return 0, err
		}
	}
	env := append(append([]string(nil), a.env...), "DBUS_SESSION_BUS_ADDRESS=unix:path="+bus, "DISPLAY="+display, "WAYLAND_DISPLAY="+wayland)
	for range 3 {
		cmd := exec.CommandContext(ctx, r.bin, "token", profile)
		cmd.Env = env
		if out, err := cmd.Output(); err != nil || len(strings.TrimSpace(string(out))) == 0 {
			return 0, fmt.Errorf("tokentray token with sentinel addresses: %v", err)
		}
	}
	return contacts.Load(), nil
}
