package refreshlog

import (
	"slices"
	"testing"
	"time"
)

func TestPhaseAndWindows(t *testing.T) {
	log := `time=1 level=DEBUG msg="refresh request sent" profile=p
time=2 level=DEBUG msg="refresh saved" profile=p window=4.3ms
time=3 level=DEBUG msg="refresh request sent" profile=p
`
	if got := Phase(log); got != InFlight {
		t.Errorf("Phase: got %q, want %q", got, InFlight)
	}
	if got := Phase(log[:len(log)-len("time=3 level=DEBUG msg=\"refresh request sent\" profile=p\n")]); got != Saved {
		t.Errorf("Phase after the save: got %q, want %q", got, Saved)
	}
	if got := Phase(""); got != Saved {
		t.Errorf("Phase of no refresh: got %q", got)
	}
	if got, want := Windows(log+`msg="refresh saved" profile=q window=12ms`), []time.Duration{4300 * time.Microsecond, 12 * time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("Windows: got %v, want %v", got, want)
	}
	// A save that failed keeps the window open until a later save works.
	failed := `time=1 level=DEBUG msg="refresh request sent" profile=p
time=2 level=ERROR msg="saving the refresh token failed; memory holds the only copy until a save works" profile=p
`
	if got := Phase(failed); got != InFlight {
		t.Errorf("Phase after a failed save: got %q, want %q", got, InFlight)
	}
	if got := Phase(failed + `time=3 level=INFO msg="the refresh token is saved in the keyring again" profile=p` + "\n"); got != Saved {
		t.Errorf("Phase after the retried save: got %q, want %q", got, Saved)
	}
	if !Saves(log) || Saves(failed) {
		t.Errorf("Saves: got %v for a saved refresh and %v for a failed save, want true and false", Saves(log), Saves(failed))
	}
}
