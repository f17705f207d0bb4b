package testprovider

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// stopTB records how a test was stopped (Skipf or Fatalf) and stops its
// goroutine as testing does.
type stopTB struct {
	testing.TB
	skipped, failed string
}

func (r *stopTB) Helper()                   {}
func (r *stopTB) Cleanup(func())            {}
func (r *stopTB) Skipf(f string, a ...any)  { r.skipped = fmt.Sprintf(f, a...); runtime.Goexit() }
func (r *stopTB) Fatalf(f string, a ...any) { r.failed = fmt.Sprintf(f, a...); runtime.Goexit() }

// Without node a plain `go test` skips and says how to run the test; make
// test (TOKENTRAY_TEST_PROVIDER=required) and CI=true fail instead.
func TestStartWithoutNode(t *testing.T) {
	tests := []struct {
		name, ci, required string
		wantFail           bool
	}{
		{"plain go test", "", "", false},
		{"CI=false", "false", "", false},
		{"CI=true", "true", "", true},
		{"make test", "", "required", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // no node in it
			t.Setenv("CI", tt.ci)
			t.Setenv(RequiredEnv, tt.required)
			r := &stopTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Start(r, Options{})
			}()
			<-done
			got := r.skipped
			if tt.wantFail {
				got = r.failed
			}
			if got == "" {
				t.Fatalf("skipped %q, failed %q: want it to %s", r.skipped, r.failed, map[bool]string{true: "fail", false: "skip"}[tt.wantFail])
			}
			for _, want := range []string{"node", "make deps", "make test"} {
				if !strings.Contains(got, want) {
					t.Errorf("message %q: want it to name %q", got, want)
				}
			}
		})
	}
}
