package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWritesWhatPackagesShip: the file names H7's packages install, each
// made from the command tree.
func TestWritesWhatPackagesShip(t *testing.T) {
	man, comp := t.TempDir(), t.TempDir()
	if err := run(man, comp, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ path, want string }{
		{filepath.Join(man, "tokentray.1"), "tokentray 1.2.3"},
		{filepath.Join(man, "tokentray-login.1"), "--refresh-token-stdin"},
		{filepath.Join(man, "tokentray-ui.1"), "--quit-button"},
		{filepath.Join(comp, "tokentray.bash"), "__start_tokentray"},
		{filepath.Join(comp, "_tokentray"), "#compdef tokentray"},
		{filepath.Join(comp, "tokentray.fish"), "complete -c tokentray"},
		{filepath.Join(comp, "tokentray.ps1"), "Register-ArgumentCompleter"},
	} {
		b, err := os.ReadFile(f.path)
		if err != nil || !strings.Contains(string(b), f.want) {
			t.Errorf("%s: got %d bytes (%v), want them to contain %q", f.path, len(b), err, f.want)
		}
	}
}
