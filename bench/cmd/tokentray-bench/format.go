package main

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tokentray/tokentray/bench"
)

// dur prints a duration with three significant digits.
func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return sig(float64(d)/1e3) + " µs"
	case d < time.Second:
		return sig(float64(d)/1e6) + " ms"
	default:
		return sig(d.Seconds()) + " s"
	}
}

// sig prints f with three significant digits.
func sig(f float64) string {
	switch a := math.Abs(f); {
	case a >= 100:
		return fmt.Sprintf("%.0f", f)
	case a >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.2f", f)
	}
}

// rate prints requests per second.
func rate(f float64) string {
	if f >= 1000 {
		return sig(f/1000) + "k/s"
	}
	return sig(f) + "/s"
}

// mb prints bytes in MB (10^6 bytes).
func mb(b int64) string { return sig(float64(b)/1e6) + " MB" }

// pct prints a fraction of a core in percent.
func pct(f float64) string { return fmt.Sprintf("%.3f %%", f*100) }

// ratio prints a/b, or "—" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return times(a / b)
}

// times prints a ratio with three significant digits, trailing zeros kept
// (0.798×, 1.50×, 12.0×): next to a target of 0.8× a rounded 0.80× would
// hide a miss.
func times(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f×", x)
	case x >= 10:
		return fmt.Sprintf("%.1f×", x)
	case x >= 1:
		return fmt.Sprintf("%.2f×", x)
	default:
		return fmt.Sprintf("%.3f×", x)
	}
}

// verdict is Pass when ok, else Fail.
func verdict(ok bool) string {
	if ok {
		return bench.Pass
	}
	return bench.Fail
}

// median of xs (which it sorts): of an even count, the mean of the two
// middle values, so that neither side of a ratio is favoured.
func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[n/2]
}

// plural prints "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
