//go:build darwin && !cgo

package main

import (
	"context"
	"fmt"

	"github.com/tokentray/tokentray/app/agent"
)

// runTray explains that this macOS build has no tray: the menu bar icon
// (fyne.io/systray on darwin) needs cgo, which does not cross-compile. The
// agent serves on without it, as `tokentray agent` does.
func runTray(context.Context, *agent.Agent) error {
	return fmt.Errorf("%w: this macOS build was made without cgo, and the menu bar icon needs it (build on a Mac with CGO_ENABLED=1)", agent.ErrNoTray)
}
