package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// HyperfineResult is hyperfine's summary of one command.
type HyperfineResult struct {
	Command string
	Mean    time.Duration
	Stddev  time.Duration
	Median  time.Duration
	Min     time.Duration
	Max     time.Duration
	Runs    int
}

// Hyperfine times commands with hyperfine (Debian's hyperfine 1.x) without
// a shell (-N), after warmup runs, and returns one result per command in
// order. env is the commands' environment (nil: this process's).
func Hyperfine(ctx context.Context, dir string, warmup, runs int, env []string, commands ...string) ([]HyperfineResult, error) {
	out := filepath.Join(dir, "hyperfine.json")
	args := []string{"-N", "--warmup", strconv.Itoa(warmup), "--runs", strconv.Itoa(runs), "--style", "none", "--export-json", out}
	args = append(args, commands...)
	cmd := exec.CommandContext(ctx, "hyperfine", args...)
	cmd.Env = env
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("bench: hyperfine: %w: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("bench: hyperfine: %w", err)
	}
	return ParseHyperfine(b)
}

// ParseHyperfine reads hyperfine's --export-json file.
func ParseHyperfine(b []byte) ([]HyperfineResult, error) {
	var doc struct {
		Results []struct {
			Command                        string
			Mean, Stddev, Median, Min, Max float64
			Times                          []float64
			ExitCodes                      []int `json:"exit_codes"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("bench: hyperfine's JSON: %w", err)
	}
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	var out []HyperfineResult
	for _, r := range doc.Results {
		for _, c := range r.ExitCodes {
			if c != 0 {
				return nil, fmt.Errorf("bench: hyperfine: %q exited with status %d", r.Command, c)
			}
		}
		out = append(out, HyperfineResult{Command: r.Command, Mean: sec(r.Mean), Stddev: sec(r.Stddev), Median: sec(r.Median),
			Min: sec(r.Min), Max: sec(r.Max), Runs: len(r.Times)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: hyperfine reported no results")
	}
	return out, nil
}
