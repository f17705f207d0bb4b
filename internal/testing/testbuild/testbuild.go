// Package testbuild builds tokentray's programs for tests that run them as
// processes, the way they are installed: side by side in one directory.
package testbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The packages of tokentray's programs and of the test helpers run as
// processes.
const (
	Front          = "github.com/tokentray/tokentray"
	Agent          = "github.com/tokentray/tokentray/cmd/tokentray-agent"
	UI             = "github.com/tokentray/tokentray/cmd/tokentray-ui"
	ScriptedBrowse = "github.com/tokentray/tokentray/internal/testing/testprovider/cmd/scripted-browser"
)

var (
	mu    sync.Mutex
	built = map[string]result{}
)

type result struct {
	dir string
	err error
}

// Programs builds pkgs into one directory, once per test binary and set of
// packages, and returns the directory; each program is named after its
// package's last element (the front after the module: tokentray).
// TestMain removes them with RemoveAll.
func Programs(t testing.TB, pkgs ...string) string {
	t.Helper()
	return ProgramsWith(t, nil, pkgs...)
}

// ProgramsWith is Programs built with env added to the go command's
// environment (CGO_ENABLED=0, say), in a directory of their own.
func ProgramsWith(t testing.TB, env []string, pkgs ...string) string {
	t.Helper()
	key := strings.Join(env, " ") + " | " + strings.Join(pkgs, " ")
	mu.Lock()
	defer mu.Unlock()
	r, ok := built[key]
	if !ok {
		r.dir, r.err = os.MkdirTemp("", "tokentray-test-bin-")
		if r.err == nil {
			cmd := exec.Command("go", append([]string{"build", "-o", r.dir + string(filepath.Separator)}, pkgs...)...)
			cmd.Env = append(os.Environ(), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				r.err = fmt.Errorf("go build %s: %v\n%s", key, err, out)
			}
		}
		built[key] = r
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.dir
}

// RemoveAll removes what Programs built; TestMain calls it after the tests.
func RemoveAll() {
	mu.Lock()
	defer mu.Unlock()
	for k, r := range built {
		if r.dir != "" {
			os.RemoveAll(r.dir)
		}
		delete(built, k)
	}
}
