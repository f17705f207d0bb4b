package bench

import (
	"testing"
	"time"
)

func TestParseHyperfine(t *testing.T) {
	got, err := ParseHyperfine([]byte(`{"results":[{"command":"true","mean":0.0021,"stddev":0.0018,"median":0.0016,
		"min":0.0004,"max":0.0042,"times":[0.0004,0.0042,0.0016],"exit_codes":[0,0,0]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := HyperfineResult{Command: "true", Mean: 2100 * time.Microsecond, Stddev: 1800 * time.Microsecond, Median: 1600 * time.Microsecond,
		Min: 400 * time.Microsecond, Max: 4200 * time.Microsecond, Runs: 3}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want [%+v]", got, want)
	}
	if _, err := ParseHyperfine([]byte(`{"results":[{"command":"false","exit_codes":[1]}]}`)); err == nil {
		t.Error("a failing command: got no error, want one")
	}
}
