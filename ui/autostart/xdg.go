//go:build !darwin && !windows

package autostart

import (
	"errors"
	"os"
	"path/filepath"
)

// Manager switches the XDG autostart entry
// ($XDG_CONFIG_HOME/autostart/tokentray.desktop).
type Manager struct {
	Entry Entry
	// Getenv reads XDG_CONFIG_HOME and HOME; os.Getenv when nil.
	Getenv func(string) string
}

// Supported reports whether this platform can start tokentray at login.
func (m *Manager) Supported() bool { return true }

// Path is the autostart file.
func (m *Manager) Path() (string, error) {
	getenv := m.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("autostart: neither XDG_CONFIG_HOME nor HOME is set")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", "tokentray.desktop"), nil
}

// contents is what Set writes at Path: the desktop entry.
func (m *Manager) contents() string { return DesktopFile(m.Entry) }
