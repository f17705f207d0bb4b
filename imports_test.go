package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsPointOneWay keeps the package arrows as docs/ARCHITECTURE.md draws
// them (auth ← app ← ui), the way tailscale's deptest does: the protocol
// knows nothing of ours, and the agent never links a GUI toolkit.
func TestImportsPointOneWay(t *testing.T) {
	tests := []struct {
		pkgs      string
		forbidden []string
	}{
		{"./auth/...", []string{"fyne.io/", "github.com/zalando/go-keyring", "github.com/tokentray/tokentray/app", "github.com/tokentray/tokentray/ui", "github.com/tokentray/tokentray/assets"}},
		{"./app/...", []string{"fyne.io/", "github.com/tokentray/tokentray/ui"}},
		{"./assets/...", []string{"fyne.io/fyne/v2/app", "github.com/tokentray/tokentray/app"}},
		// The tray runs in the agent: fyne.io/systray, never Fyne itself.
		{"./ui/tray/...", []string{"fyne.io/fyne/", "github.com/tokentray/tokentray/ui/windows", "github.com/tokentray/tokentray/ui/desktop", "github.com/tokentray/tokentray/app/cli"}},
		{"./ui/model/...", []string{"fyne.io/", "github.com/tokentray/tokentray/app/session", "github.com/tokentray/tokentray/app/store", "github.com/tokentray/tokentray/app/api", "github.com/tokentray/tokentray/app/agent"}},
		{"./ui/clipboard/...", []string{"fyne.io/"}},
		{"./ui/notify/...", []string{"fyne.io/"}},
		{"./ui/autostart/...", []string{"fyne.io/"}},
		// Only ui/desktop starts the GL driver; the windows build without cgo.
		{"./ui/windows/...", []string{"fyne.io/fyne/v2/app", "github.com/go-gl/", "github.com/zalando/go-keyring", "github.com/tokentray/tokentray/app/session", "github.com/tokentray/tokentray/app/store", "github.com/tokentray/tokentray/app/api", "github.com/tokentray/tokentray/app/agent"}},
		// `tokentray token` never loads the command tree (cobra).
		{".", []string{"github.com/spf13/"}},
		// The front command starts in about a millisecond: no net/http (a
		// millisecond more at each start), no toolkit, no keyring, no D-Bus.
		{".", []string{"net", "crypto/", "fyne.io/", "github.com/zalando/go-keyring", "github.com/godbus/", "github.com/tokentray/tokentray/app/api", "github.com/tokentray/tokentray/app/cli", "github.com/tokentray/tokentray/app/session", "github.com/tokentray/tokentray/app/store"}},
		// The API client is a leaf: what a program needs to ask the agent,
		// nothing of the agent itself.
		{"./app/apiclient/...", []string{"fyne.io/", "github.com/zalando/go-keyring", "github.com/godbus/", "github.com/tokentray/tokentray/app/session", "github.com/tokentray/tokentray/app/store", "github.com/tokentray/tokentray/app/api", "github.com/tokentray/tokentray/app/agent", "github.com/tokentray/tokentray/app/cli", "github.com/tokentray/tokentray/ui"}},
		// The windows program is a client of the agent, like the CLI.
		{"./cmd/tokentray-ui", []string{"github.com/zalando/go-keyring", "github.com/tokentray/tokentray/app/session", "github.com/tokentray/tokentray/app/store", "github.com/tokentray/tokentray/app/api", "github.com/tokentray/tokentray/app/agent", "github.com/tokentray/tokentray/app/cli"}},
		// The agent program links the tray (fyne.io/systray), never Fyne.
		{"./cmd/tokentray-agent", []string{"fyne.io/fyne/", "github.com/go-gl/", "github.com/tokentray/tokentray/ui/desktop", "github.com/tokentray/tokentray/ui/windows"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkgs, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-test=false", tt.pkgs).Output()
			if err != nil {
				t.Fatalf("go list %s: %v", tt.pkgs, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 5 {
				t.Fatalf("go list %s listed %d packages; the check would prove nothing", tt.pkgs, len(deps))
			}
			for _, d := range deps {
				for _, f := range tt.forbidden {
					if d == f || strings.HasPrefix(d, strings.TrimSuffix(f, "/")+"/") {
						t.Errorf("%s depends on %s", tt.pkgs, d)
					}
				}
			}
		})
	}
}
