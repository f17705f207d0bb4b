package bench

import (
	"bufio"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// GoBench is one benchmark's result from `go test -bench`, the median over
// its -count runs.
type GoBench struct {
	Name        string // without the -GOMAXPROCS suffix
	NsPerOp     float64
	BytesPerOp  int64
	AllocsPerOp int64
	Runs        int
}

var goBenchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+(\d+) B/op)?(?:\s+(\d+) allocs/op)?`)

// ParseGoBench reads `go test -bench` output and returns each benchmark's
// median ns/op (and its allocations), in order of first appearance.
func ParseGoBench(out string) []GoBench {
	var order []string
	runs := map[string][]GoBench{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		m := goBenchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.ParseInt(m[3], 10, 64)
		a, _ := strconv.ParseInt(m[4], 10, 64)
		if _, ok := runs[m[1]]; !ok {
			order = append(order, m[1])
		}
		runs[m[1]] = append(runs[m[1]], GoBench{Name: m[1], NsPerOp: ns, BytesPerOp: b, AllocsPerOp: a})
	}
	var res []GoBench
	for _, name := range order {
		rs := runs[name]
		ns := make([]float64, len(rs))
		for i, r := range rs {
			ns[i] = r.NsPerOp
		}
		slices.Sort(ns)
		g := rs[0]
		g.NsPerOp, g.Runs = ns[len(ns)/2], len(rs)
		res = append(res, g)
	}
	return res
}
