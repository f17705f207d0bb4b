package bench

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what wrk reported for one run.
type WrkResult struct {
	RPS      float64
	P50, P99 time.Duration
	Max      time.Duration
	Requests int64
	Errors   int64 // non-2xx/3xx answers plus socket errors
}

// Wrk runs wrk (Debian's wrk 4.x) with conns keep-alive connections over
// threads threads for d (whole seconds, wrk's resolution), and parses its --latency report.
func Wrk(ctx context.Context, url string, conns, threads int, d time.Duration, headers ...string) (WrkResult, error) {
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(max(1, int(d.Round(time.Second).Seconds()))) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return WrkResult{}, fmt.Errorf("bench: wrk %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return ParseWrk(string(out))
}

var (
	wrkLatency  = regexp.MustCompile(`^\s+Latency\s+\S+\s+\S+\s+(\S+)`)
	wrkPct      = regexp.MustCompile(`^\s+(50|99)%\s+(\S+)`)
	wrkRequests = regexp.MustCompile(`^\s+(\d+) requests in`)
	wrkRPS      = regexp.MustCompile(`^Requests/sec:\s+([0-9.]+)`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket   = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// ParseWrk reads the report wrk --latency prints.
func ParseWrk(out string) (WrkResult, error) {
	var r WrkResult
	var have int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := wrkLatency.FindStringSubmatch(line); m != nil {
			d, err := wrkDuration(m[1])
			if err != nil {
				return r, err
			}
			r.Max = d
		}
		if m := wrkPct.FindStringSubmatch(line); m != nil {
			d, err := wrkDuration(m[2])
			if err != nil {
				return r, err
			}
			if m[1] == "50" {
				r.P50 = d
			} else {
				r.P99 = d
			}
			have++
		}
		if m := wrkRequests.FindStringSubmatch(line); m != nil {
			r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if m := wrkRPS.FindStringSubmatch(line); m != nil {
			r.RPS, _ = strconv.ParseFloat(m[1], 64)
			have++
		}
		if m := wrkNon2xx.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			r.Errors += n
		}
		if m := wrkSocket.FindStringSubmatch(line); m != nil {
			for _, s := range m[1:] {
				n, _ := strconv.ParseInt(s, 10, 64)
				r.Errors += n
			}
		}
	}
	if have != 3 {
		return r, fmt.Errorf("bench: wrk printed no latency distribution or rate:\n%s", out)
	}
	return r, nil
}

// wrkDuration parses wrk's units: us, ms, s, m.
func wrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("bench: wrk duration %q: %w", s, err)
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("bench: wrk duration %q has no known unit", s)
}
