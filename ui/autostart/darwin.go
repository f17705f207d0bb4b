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

// Enabled reports whether the LaunchAgent is there.
func (m *Manager) Enabled() bool {
	p, err := m.Path()
	return err == nil && fileEnabled(p)
}

// Set writes or removes the LaunchAgent.
func (m *Manager) Set(on bool) error {
	p, err := m.Path()
	if err != nil {
		return err
	}
	return setFile(p, on, LaunchAgentPlist(m.Entry))
}
