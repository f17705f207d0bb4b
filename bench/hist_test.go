package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramQuantilesMatchExactOnes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram()
	var all []time.Duration
	for range 100000 {
		// Log-normal-ish latencies from 1 µs to seconds.
		d := time.Duration(float64(time.Microsecond) * (1 + r.ExpFloat64()*r.ExpFloat64()*300))
		h.Record(d)
		all = append(all, d)
	}
	slices.Sort(all)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[max(int(math.Ceil(q*float64(len(all))))-1, 0)]
		got := h.Quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/subCount+1 {
			t.Errorf("q=%v: got %v, want %v within +%.1f%%", q, got, exact, 100.0/subCount)
		}
	}
	if h.Max() != all[len(all)-1] {
		t.Errorf("max: got %v, want %v", h.Max(), all[len(all)-1])
	}
	if h.Count() != uint64(len(all)) {
		t.Errorf("count: got %d, want %d", h.Count(), len(all))
	}
}

func TestHistogramBucketsAreContiguous(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<20; v++ {
		b := bucketOf(v)
		if b != prev && b != prev+1 {
			t.Fatalf("value %d: got bucket %d after %d, want no gap", v, b, prev)
		}
		if upperOf(b) < v {
			t.Fatalf("value %d: got bucket %d with upper bound %d, want >= the value", v, b, upperOf(b))
		}
		prev = b
	}
}

func TestHistogramMerge(t *testing.T) {
	a, b := NewHistogram(), NewHistogram()
	for i := range 100 {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(i+100) * time.Millisecond)
	}
	a.Merge(b)
	if a.Count() != 200 || a.Max() != 199*time.Millisecond {
		t.Fatalf("merged: got n=%d max=%v, want 200 and 199ms", a.Count(), a.Max())
	}
	if got := a.Quantile(0.5); got < 99*time.Millisecond || got > 100*time.Millisecond {
		t.Errorf("merged p50: got %v, want about 99ms", got)
	}
}
