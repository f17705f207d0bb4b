// Package clipboard puts tokens on the desktop clipboard from the agent's
// process, which has no GUI toolkit, and takes them off again.
//
// What is concealed where: on X11 the CLIPBOARD selection is served by this
// process and offers x-kde-passwordManagerHint = "secret" next to the
// text, which Klipper, CopyQ, GPaste and KeePassXC-aware managers take as
// "do not keep in history". On Wayland wl-copy --sensitive (wl-clipboard
// 2.3 and later) offers the same hint; older wl-copy copies without it. On
// Windows the data carries ExcludeClipboardContentFromMonitorProcessing,
// CanIncludeInClipboardHistory = 0 and CanUploadToCloudClipboard = 0. On
// macOS pbcopy cannot mark data concealed.
package clipboard

import (
	"errors"
	"sync"
	"time"
)

// Board is one desktop's clipboard.
type Board interface {
	// Write puts text on the clipboard, marked concealed where the desktop
	// knows how.
	Write(text string) error
	// ClearIf empties the clipboard if it still holds text, and reports
	// whether it did. Anything else on the clipboard is left alone.
	ClearIf(text string) (bool, error)
}

// ErrUnsupported means this desktop has no clipboard this package can use.
var ErrUnsupported = errors.New("clipboard: no clipboard on this desktop (no DISPLAY, no wl-copy)")

// Copier copies secrets and clears them after a delay, if the clipboard
// still holds them then.
type Copier struct {
	Board Board
	// After is the delay before clearing; zero never clears.
	After time.Duration
	// Delay, if set, is asked for the delay at each copy instead of After
	// (the config may change while the agent runs).
	Delay func() time.Duration
	// AfterFunc arms a timer; time.AfterFunc when nil.
	AfterFunc func(time.Duration, func()) interface{ Stop() bool }
	// OnClear, if set, learns what each clear did (for logs and tests).
	OnClear func(cleared bool, err error)

	mu    sync.Mutex // guards timer and text
	timer interface{ Stop() bool }
	text  string
}

// Copy puts a secret on the clipboard and schedules its removal. A new
// copy replaces the pending clear of the previous one.
func (c *Copier) Copy(text string) error {
	_, err := c.CopySecret(text)
	return err
}

// CopySecret is Copy that also says when the secret will be cleared (zero:
// never). The agent serves the windows' copies with it (api.Clipboard), so
// the hint and the clear outlive the window that asked.
func (c *Copier) CopySecret(text string) (clearAfter time.Duration, err error) {
	if err := c.Board.Write(text); err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.text = text
	after := c.After
	if c.Delay != nil {
		after = c.Delay()
	}
	if after <= 0 {
		return 0, nil
	}
	af := c.AfterFunc
	if af == nil {
		af = func(d time.Duration, f func()) interface{ Stop() bool } { return time.AfterFunc(d, f) }
	}
	c.timer = af(after, func() { c.clear(text) })
	return after, nil
}

// CopyPlain puts text that is no secret on the clipboard (a curl example),
// without clearing it later.
func (c *Copier) CopyPlain(text string) error {
	return c.Board.Write(text)
}

func (c *Copier) clear(text string) {
	c.mu.Lock()
	if c.text != text {
		c.mu.Unlock()
		return // a newer copy owns the clear
	}
	c.text, c.timer = "", nil
	c.mu.Unlock()
	cleared, err := c.Board.ClearIf(text)
	if c.OnClear != nil {
		c.OnClear(cleared, err)
	}
}

// ClearNow clears a pending secret at once (on quit), if the clipboard
// still holds it.
func (c *Copier) ClearNow() {
	c.mu.Lock()
	text := c.text
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	if text != "" {
		c.clear(text)
	}
}
