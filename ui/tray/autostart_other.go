//go:build !windows

package tray

import "github.com/tokentray/tokentray/app/launch"

// autostartExe is what Start at login runs: the tokentray front.
func autostartExe() (string, error) { return launch.Self() }
