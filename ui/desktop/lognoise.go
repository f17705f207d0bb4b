package desktop

import (
	"io"
	"strings"
	"sync"
)

// prefsNoise drops Fyne's "Preferences load error" report (three log lines:
// the error, its Cause and its At). tokentray keeps nothing in Fyne's
// preferences, but Fyne rewrites that file in place at every exit and
// reloads it when it changes, so a window opening while another closes can
// read it half-written. Each window is its own process (the render loop
// lives only as long as the window), so this harmless race is ours to
// expect; every other line passes through.
type prefsNoise struct {
	w        io.Writer
	mu       sync.Mutex // guards dropping
	dropping bool
}

func (p *prefsNoise) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := string(b)
	switch {
	case strings.Contains(s, "Fyne error:  Preferences load error"):
		p.dropping = true
		return len(b), nil
	case p.dropping && (strings.Contains(s, "  Cause:") || strings.Contains(s, "  At:")):
		return len(b), nil
	}
	p.dropping = false
	return p.w.Write(b)
}
