package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tokentray/tokentray/internal/testing/testbuild"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbuild.RemoveAll()
	os.Exit(code)
}

// TestShortSoak runs the soak's short mode (45 s: kills every ~3 s, pauses
// mid-refresh, keyring outages, proxy faults) and holds it to its targets.
func TestShortSoak(t *testing.T) {
	if os.Getenv("TOKENTRAY_TEST_SECRET_SERVICE") == "" {
		t.Skip("needs the real Secret Service: run under scripts/with-desktop.sh")
	}
	if os.Getenv("TOKENTRAY_SOAK") == "" {
		t.Skip("a 45 s soak: set TOKENTRAY_SOAK=1")
	}
	dir := testbuild.Programs(t, testbuild.Front, testbuild.Agent)
	o := options{bin: filepath.Join(dir, "tokentray"), dir: t.TempDir(), providerDir: "../../../testdata/oidc-provider",
		readers: 10, tokenTTL: 3 * time.Second, faultRate: 0.15, tolerance: 10 * time.Second}.short()
	r, err := run(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r)
	if r.rejected != 0 || r.expired != 0 || r.failed != 0 || r.lostOutside != 0 {
		t.Errorf("got %d rejected by the provider, %d expired served, %d reads failed, %d chains lost outside the window, want 0 each",
			r.rejected, r.expired, r.failed, r.lostOutside)
	}
	if r.kills < 5 || r.judged == 0 {
		t.Errorf("got %d kills and %d tokens judged, want a soak that did something", r.kills, r.judged)
	}
}
