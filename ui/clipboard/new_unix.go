//go:build linux || freebsd || openbsd || netbsd

package clipboard

import "os/exec"

// New returns the desktop's clipboard: Wayland's through wl-copy in a
// Wayland session that has it, else the X server's ($DISPLAY, XWayland
// included).
func New(getenv func(string) string) (Board, error) {
	if getenv("WAYLAND_DISPLAY") != "" {
		if _, err := exec.LookPath("wl-copy"); err == nil {
			return &Wayland{}, nil
		}
	}
	if getenv("DISPLAY") != "" {
		return &X11{Display: getenv("DISPLAY")}, nil
	}
	return nil, ErrUnsupported
}
