package bench

import "testing"

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
BenchmarkTokenRead/baseline-const-2         	 5054268	       244.5 ns/op	     336 B/op	       2 allocs/op
BenchmarkTokenRead/tcp-json-2               	  381316	      3506 ns/op	     896 B/op	      13 allocs/op
BenchmarkTokenRead/baseline-const-2         	 5054268	       250.5 ns/op	     336 B/op	       2 allocs/op
BenchmarkTokenRead/tcp-json-2               	  381316	      3000 ns/op	     896 B/op	      13 allocs/op
BenchmarkTokenRead/baseline-const-2         	 5054268	       240.0 ns/op	     336 B/op	       2 allocs/op
BenchmarkTokenRead/tcp-json-2               	  381316	      3100 ns/op	     896 B/op	      13 allocs/op
BenchmarkSessionToken/serial                	 7565754	       151.1 ns/op
PASS
`
	got := ParseGoBench(out)
	want := []GoBench{
		{Name: "BenchmarkTokenRead/baseline-const", NsPerOp: 244.5, BytesPerOp: 336, AllocsPerOp: 2, Runs: 3},
		{Name: "BenchmarkTokenRead/tcp-json", NsPerOp: 3100, BytesPerOp: 896, AllocsPerOp: 13, Runs: 3},
		{Name: "BenchmarkSessionToken/serial", NsPerOp: 151.1, Runs: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("benchmark %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
