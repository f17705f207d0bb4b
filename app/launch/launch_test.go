package launch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	self, _ = filepath.EvalSymlinks(self)
	// Beside this program: the test binary finds itself by its own name.
	// Find adds ".exe" on Windows itself.
	if got, err := Find(strings.TrimSuffix(filepath.Base(self), ".exe")); err != nil || got != self {
		t.Errorf("Find(own name) = %q, %v; want %s", got, err, self)
	}

	dir := t.TempDir()
	onPath := filepath.Join(dir, exeName("tokentray-launch-test"))
	if err := os.WriteFile(onPath, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "not-executable"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got, err := Find("tokentray-launch-test"); err != nil || got != onPath {
		t.Errorf("Find on PATH = %q, %v; want %s", got, err, onPath)
	}
	_, err = Find("not-executable")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "not-executable is not installed") || !strings.Contains(err.Error(), "make build") {
		t.Errorf("Find(missing) error = %v; want a NotFoundError that says how to build it", err)
	}
}

func TestSelfWithoutFront(t *testing.T) {
	self, _ := os.Executable()
	self, _ = filepath.EvalSymlinks(self)
	if got, err := Self(); err != nil || got != self {
		t.Errorf("Self() = %q, %v; want this program, %s, as no tokentray is beside it", got, err, self)
	}
}
