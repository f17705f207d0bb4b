package bench

import (
	"os"
	"testing"
	"time"
)

func TestSampleProcSeesThisProcessWork(t *testing.T) {
	a, err := SampleProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the clock-tick counter moves (it has 10 ms resolution).
	deadline := time.Now().Add(5 * time.Second)
	var b ProcSample
	for x := 0; time.Now().Before(deadline); x++ {
		if x%100000 == 0 {
			if b, err = SampleProc(os.Getpid()); err != nil {
				t.Fatal(err)
			}
			if b.CPU > a.CPU && b.OnCPU > a.OnCPU {
				break
			}
		}
	}
	u := Between(a, b)
	if u.CPU <= 0 || u.OnCPU <= 0 {
		t.Errorf("got CPU %v, on-CPU %v after spinning, want both > 0", u.CPU, u.OnCPU)
	}
	if b.RSS <= 0 || b.HWM < b.RSS {
		t.Errorf("got RSS %d, HWM %d, want 0 < RSS <= HWM", b.RSS, b.HWM)
	}
}
