//go:build windows

package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// Manager switches the value "tokentray" of HKCU\…\Run.
type Manager struct {
	Entry  Entry
	Getenv func(string) string // unused on Windows
}

// Supported reports whether this platform can start tokentray at login.
func (m *Manager) Supported() bool { return true }

// Enabled reports whether the Run value is there.
func (m *Manager) Enabled() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	_, _, err = k.GetStringValue("tokentray")
	return err == nil
}

// Set writes or removes the Run value.
func (m *Manager) Set(on bool) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue("tokentray"); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return fmt.Errorf("autostart: %w", err)
		}
		return nil
	}
	if err := k.SetStringValue("tokentray", RunValue(m.Entry)); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
