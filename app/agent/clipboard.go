package agent

import (
	"sync"

	"github.com/tokentray/tokentray/app/api"
)

// clipboardOwner is the desktop clipboard the tray lends the agent.
type clipboardOwner struct {
	mu sync.Mutex // guards cb
	cb api.Clipboard
}

// SetClipboard lends the agent the desktop's clipboard (the tray's, which
// marks tokens secret and clears them): the windows' copies then go
// through it (POST /v1/clipboard/{profile}). nil takes it back; a headless
// agent never has one.
func (a *Agent) SetClipboard(cb api.Clipboard) {
	a.clip.mu.Lock()
	defer a.clip.mu.Unlock()
	a.clip.cb = cb
}

// Clipboard is the clipboard the tray lent, nil when none (api.ClipboardOwner).
func (a *Agent) Clipboard() api.Clipboard {
	a.clip.mu.Lock()
	defer a.clip.mu.Unlock()
	return a.clip.cb
}
