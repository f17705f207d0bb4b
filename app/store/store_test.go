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
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
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
