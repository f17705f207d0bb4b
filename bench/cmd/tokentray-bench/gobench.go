package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/tokentray/tokentray/bench"
)

// figureGoBench runs the testing.B benchmarks of the token read path (Go's
// own benchmark harness), each beside the constant-body handler measured in
// the same run.
func (r *run) figureGoBench(ctx context.Context) error {
	count := "5"
	if r.o.quick {
		count = "1"
	}
	cmd := exec.CommandContext(ctx, r.o.goTest, "-test.run", "^$", "-test.bench", ".", "-test.benchmem", "-test.count", count)
	cmd.Dir = r.root + "/bench"
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", r.o.goTest, err, out)
	}
	r.logFile("gobench.txt").Write(out)
	res := map[string]bench.GoBench{}
	for _, g := range bench.ParseGoBench(string(out)) {
		res[strings.TrimPrefix(g.Name, "Benchmark")] = g
	}
	show := func(g bench.GoBench) string {
		return fmt.Sprintf("%s/op, %d allocs", dur0(g.NsPerOp), g.AllocsPerOp)
	}
	for _, c := range []struct{ name, base, what string }{
		{"TokenRead/tcp-json", "TokenRead/baseline-const", "token handler, TCP, JSON (no network)"},
		{"TokenRead/tcp-text", "TokenRead/baseline-const", "token handler, TCP, text/plain"},
		{"TokenRead/socket-json", "TokenRead/baseline-const", "token handler, unix socket, JSON"},
		{"TokenRead/tcp-json-parallel", "TokenRead/baseline-const-parallel", "token handler, TCP, JSON, all CPUs"},
		{"SessionToken/serial", "", "Session.Token, one goroutine"},
		{"SessionToken/parallel", "", "Session.Token, all CPUs"},
	} {
		g, ok := res[c.name]
		if !ok {
			return fmt.Errorf("benchmark %s missing from the output", c.name)
		}
		row := bench.Row{Figure: "go", Measure: "testing.B: " + c.what, Tokentray: show(g), Baseline: "—", Ratio: "—", Target: "—", Verdict: bench.Info}
		if b, ok := res[c.base]; ok {
			row.Baseline = show(b) + " (constant-body handler)"
			row.Ratio = ratio(g.NsPerOp, b.NsPerOp)
		}
		r.table.Add(row)
	}
	return nil
}

// dur0 prints nanoseconds as a duration.
func dur0(ns float64) string {
	if ns < 1000 {
		return fmt.Sprintf("%.0f ns", ns)
	}
	return sig(ns/1000) + " µs"
}
