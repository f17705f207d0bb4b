package bench

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: values are kept in buckets of
// 1/2^subBits of their power of two, so a reported percentile is at most
// 1/128 (0.8 %) above the true sample. Values below 2^(subBits+1) ns are
// exact.
const subBits = 7

// maxShift bounds the recordable value (2^(maxShift+subBits+1) ns, about
// 18 minutes); larger values are clamped into the last bucket.
const maxShift = 32

const subCount = 1 << subBits

// Histogram is an HDR-style latency histogram (log-linear buckets, fixed
// relative error) that keeps every sample's bucket, so percentiles are
// computed from all samples, not from a reservoir. It is not safe for
// concurrent use: give each goroutine its own and Merge them.
type Histogram struct {
	counts   []uint64
	n        uint64
	min, max time.Duration
	sum      float64 // in nanoseconds, for the mean
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]uint64, (maxShift+2)*subCount), min: math.MaxInt64}
}

func bucketOf(v int64) int {
	if v < 0 {
		v = 0
	}
	k := bits.Len64(uint64(v))
	if k <= subBits+1 {
		return int(v)
	}
	shift := k - subBits - 1
	if shift > maxShift {
		return (maxShift+2)*subCount - 1
	}
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// upperOf is the highest value that lands in bucket i.
func upperOf(i int) int64 {
	if i < 2*subCount {
		return int64(i)
	}
	shift := i/subCount - 1
	sub := int64(i%subCount + subCount)
	return (sub+1)<<shift - 1
}

// Record adds one sample.
func (h *Histogram) Record(d time.Duration) {
	h.counts[bucketOf(int64(d))]++
	h.n++
	h.sum += float64(d)
	h.min = min(h.min, d)
	h.max = max(h.max, d)
}

// Merge adds every sample of o.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest sample, exactly.
func (h *Histogram) Max() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.max
}

// Mean is the samples' mean.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the value at or below which a fraction q (0..1) of the
// samples lie, rounded up to its bucket's upper bound (never above Max).
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(upperOf(i)), h.max)
		}
	}
	return h.max
}

// String summarises the histogram.
func (h *Histogram) String() string {
	return fmt.Sprintf("n=%d p50=%v p99=%v max=%v", h.n, h.Quantile(0.5), h.Quantile(0.99), h.Max())
}
