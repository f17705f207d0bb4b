package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func exercise(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Get(ctx, "work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing item: got %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, "work", "secret-1"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := s.Set(ctx, "work", "secret-2"); err != nil {
		t.Fatalf("Set again: %v", err)
	}
	if got, err := s.Get(ctx, "work"); err != nil || got != "secret-2" {
		t.Fatalf("Get: got %q, %v, want secret-2", got, err)
	}
	if err := s.Delete(ctx, "work"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Delete(ctx, "work"); err != nil {
		t.Fatalf("Delete of a missing item: %v", err)
	}
	if _, err := s.Get(ctx, "work"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: got %v, want ErrNotFound", err)
	}
}

func TestKeyringMock(t *testing.T) {
	keyring.MockInit()
	exercise(t, Keyring{})
}

func TestKeyringErrorIsWrappedWithoutSecret(t *testing.T) {
	keyring.MockInitWithError(errors.New("the item is too large"))
	err := Keyring{}.Set(context.Background(), "work", "s3cr3t-value")
	if err == nil || !strings.Contains(err.Error(), "keyring: save:") || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("got %v, want a keyring: save: error without the secret", err)
	}
}

// hangingStore stands for a Secret Service that never answers.
func TestKeyringDeadline(t *testing.T) {
	k := Keyring{Timeout: 50 * time.Millisecond}
	block := make(chan struct{})
	defer close(block)
	var got string
	err := k.do(context.Background(), "read", func() (string, error) { <-block; return "late", nil }, &got)
	if err == nil || !strings.Contains(err.Error(), "no answer from the OS keyring") {
		t.Fatalf("got %v, want a deadline error", err)
	}
	if got != "" {
		t.Errorf("a value that came too late was kept: %q", got)
	}
}

func TestFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "secrets.json")
	exercise(t, &FileStore{Path: path})
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 { // Windows has no mode bits: the user's profile directory's ACL protects it
		t.Errorf("mode: got %v, want 0600", st.Mode().Perm())
	}
}

// A keyring that cannot be reached is one sentence naming the cause and the
// ways out, never a raw D-Bus or exec error; other failures pass through.
func TestUnreachableKeyringIsOneClearSentence(t *testing.T) {
	tests := []struct {
		name, raw, cause string
		unavailable      bool
	}{
		{"no session bus", `exec: "dbus-launch": executable file not found in $PATH`, "no D-Bus session bus", true},
		{"no Secret Service", "The name org.freedesktop.secrets was not provided by any .service files", "no Secret Service", true},
		{"locked", "failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'", "locked", true},
		{"something else", "the item is too large", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInitWithError(errors.New(tt.raw))
			err := Keyring{}.Set(context.Background(), "work", "secret")
			if got := errors.Is(err, ErrUnavailable); got != tt.unavailable {
				t.Fatalf("errors.Is(%v, ErrUnavailable): got %v, want %v", err, got, tt.unavailable)
			}
			if !tt.unavailable {
				return
			}
			msg := err.Error()
			for _, want := range []string{tt.cause, "desktop session", `store = "file"`} {
				if !strings.Contains(msg, want) {
					t.Errorf("got %q, want it to name %q", msg, want)
				}
			}
			if strings.Contains(msg, "exec:") || strings.Contains(msg, "org.freedesktop") {
				t.Errorf("got %q, want no raw D-Bus or exec error", msg)
			}
		})
	}
}
