package auth

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a settable time source shared by a client and a fake.
type testClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 250_000_000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustKind fails unless err is an error of kind want.
func mustKind(t *testing.T, err error, want Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %v error", want)
	}
	if got := KindOf(err); got != want {
		t.Errorf("kind: got %v, want %v (%v)", got, want, err)
	}
}

// mustNotLeak fails if text contains any of secrets or anything that looks
// like a JWT.
func mustNotLeak(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%q contains a secret %.12s…", text, s)
		}
	}
	if strings.Contains(text, "eyJ") {
		t.Errorf("%q contains something like a JWT", text)
	}
}
