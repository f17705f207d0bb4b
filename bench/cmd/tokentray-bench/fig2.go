package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/tokentray/tokentray/bench"
)

// hyperfineRuns is how often each command runs (after 20 warm-up runs).
const hyperfineRuns = 1000

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
	// Where the time goes: the tokentray binary's own start, any Go
	// program's start, and a Go client that does only the token read.
	floors := []struct{ cmd, what string }{{r.bin + " version", "of which starting the tokentray binary (`tokentray version`)"}}
	for _, f := range []struct{ name, args, what string }{
		{"floor-hello", "", "floor: any Go program (hello world, bench/cmd/floor-hello)"},
		{"floor-token", " " + profile, "floor: a Go client doing only the token read (net/http, JSON: bench/cmd/floor-token)"},
		{"floor-raw", " " + profile, "floor: the token read in Go with raw system calls (bench/cmd/floor-raw)"},
	} {
		path := filepath.Join(r.o.floorDir, f.name)
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
	r.logf("hyperfine: %d runs of %s", hyperfineRuns, strings.Join(cmds, ", "))
	res, err := bench.Hyperfine(ctx, r.out, 20, hyperfineRuns, env, cmds...)
	if err != nil {
		return err
	}
	tl, err := r.prov.Timings(ctx)
	if err != nil {
		return err
	}
	tk := res[0]
	row := bench.Row{Figure: "2", Measure: fmt.Sprintf("`tokentray token` wall time per call, process start included (median of %d)", tk.Runs),
		Tokentray: dur(tk.Median), Baseline: "—", Ratio: "—", Target: "≤ 1× oidc-token", Verdict: bench.Skipped}
	rest := res[1:]
	var pr bench.HyperfineResult
	if oa != nil {
		pr, rest = res[1], res[2:]
		row.Baseline = dur(pr.Median) + " (" + peer + ")"
		row.Ratio = ratio(float64(tk.Median), float64(pr.Median))
		row.Verdict = verdict(tk.Median <= pr.Median)
		r.table.Note("figure 2: hyperfine means: tokentray %s ± %s, oidc-token %s ± %s; the provider saw %d requests meanwhile (0: both served their cached token)",
			dur(tk.Mean), dur(tk.Stddev), dur(pr.Mean), dur(pr.Stddev), len(tl))
	}
	r.table.Add(row)
	for i, f := range floors {
		fr := bench.Row{Figure: "2", Measure: f.what, Tokentray: dur(rest[i].Median), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info}
		if oa != nil {
			fr.Baseline = dur(pr.Median) + " (" + peer + ")"
			fr.Ratio = ratio(float64(rest[i].Median), float64(pr.Median))
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
