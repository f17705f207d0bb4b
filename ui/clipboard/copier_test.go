package clipboard

import (
	"testing"
	"time"
)

type fakeBoard struct {
	text    string
	cleared []string
}

func (f *fakeBoard) Write(s string) error { f.text = s; return nil }
func (f *fakeBoard) ClearIf(s string) (bool, error) {
	if f.text != s {
		return false, nil
	}
	f.text = ""
	f.cleared = append(f.cleared, s)
	return true, nil
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { t.stopped = true; return true }

func TestCopier(t *testing.T) {
	b := &fakeBoard{}
	var timers []*fakeTimer
	c := &Copier{Board: b, After: 30 * time.Second, AfterFunc: func(d time.Duration, f func()) interface{ Stop() bool } {
		tm := &fakeTimer{d: d, f: f}
		timers = append(timers, tm)
		return tm
	}}
	c.Copy("one")
	c.Copy("two")
	if len(timers) != 2 || !timers[0].stopped || timers[1].d != 30*time.Second {
		t.Fatalf("timers: got %+v, want the first stopped and a 30 s second", timers)
	}
	timers[0].f() // a stale timer that fired anyway must not clear "two"
	if b.text != "two" {
		t.Errorf("a replaced copy's timer cleared the clipboard: %q", b.text)
	}
	timers[1].f()
	if b.text != "" || len(b.cleared) != 1 || b.cleared[0] != "two" {
		t.Errorf("after the delay: text %q, cleared %v", b.text, b.cleared)
	}
	c.CopyPlain("curl …")
	if len(timers) != 2 {
		t.Error("CopyPlain scheduled a clear")
	}
	c.Copy("three")
	c.ClearNow()
	if b.text != "" || !timers[2].stopped {
		t.Errorf("ClearNow: text %q, timer stopped %v", b.text, timers[2].stopped)
	}
}

// CopySecret tells the agent's API how long the secret stays.
func TestCopySecret(t *testing.T) {
	for _, tt := range []struct {
		delay, want time.Duration
	}{{45 * time.Second, 45 * time.Second}, {0, 0}} {
		b := &fakeBoard{}
		c := &Copier{Board: b, Delay: func() time.Duration { return tt.delay },
			AfterFunc: func(d time.Duration, f func()) interface{ Stop() bool } { return &fakeTimer{d: d, f: f} }}
		got, err := c.CopySecret("tok")
		if err != nil || got != tt.want || b.text != "tok" {
			t.Errorf("delay %s: got %s, %v, clipboard %q, want %s, the token on it", tt.delay, got, err, b.text, tt.want)
		}
	}
}
