//go:build darwin

package autostart

import (
	"errors"
	"os"
	"path/filepath"
)

// Manager switches the LaunchAgent (~/Library/LaunchAgents/<Label>.plist);
// launchd reads it at the next login.
type Manager struct {
	Entry  Entry
	Getenv func(string) string // HOME; os.Getenv when nil
}

// Supported reports whether this platform can start tokentray at login.
func (m *Manager) Supported() bool { return true }

// Path is the plist file.
func (m *Manager) Path() (string, error) {
	getenv := m.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("autostart: HOME is not set")
	}
	return filepath.Join(home, "Library", "LaunchAgents", Label+".plist"), nil
}

// contents is what Set writes at Path: the LaunchAgent.
func (m *Manager) contents() string { return LaunchAgentPlist(m.Entry) }
