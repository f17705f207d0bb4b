//go:build linux || freebsd || openbsd || netbsd

package clipboard

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type fakeTools struct {
	help, clipboard string
	calls           []string
}

func (f *fakeTools) run(_ context.Context, stdin, name string, args ...string) (string, error) {
	call := name + " " + strings.Join(args, " ")
	f.calls = append(f.calls, call)
	switch {
	case call == "wl-copy --help":
		return f.help, nil
	case call == "wl-copy --clear":
		f.clipboard = ""
	case name == "wl-copy":
		f.clipboard = stdin
	case name == "wl-paste":
		if f.clipboard == "" {
			return "", errors.New("No selection")
		}
		return f.clipboard, nil
	}
	return "", nil
}

func TestWayland(t *testing.T) {
	tests := []struct {
		help, wantCopy string
	}{
		{"Usage: wl-copy [options] text...\n  -s, --sensitive  mark as sensitive", "wl-copy --sensitive --type text/plain;charset=utf-8"},
		{"Usage: wl-copy [options] text...", "wl-copy --type text/plain;charset=utf-8"},
	}
	for _, tt := range tests {
		f := &fakeTools{help: tt.help}
		w := &Wayland{Run: f.run}
		if err := w.Write("tok"); err != nil {
			t.Fatal(err)
		}
		if got := f.calls[len(f.calls)-1]; got != tt.wantCopy {
			t.Errorf("copy: got %q, want %q", got, tt.wantCopy)
		}
		if cleared, _ := w.ClearIf("other"); cleared || f.clipboard != "tok" {
			t.Errorf("ClearIf(other): cleared %v, clipboard %q", cleared, f.clipboard)
		}
		if cleared, _ := w.ClearIf("tok"); !cleared || f.clipboard != "" {
			t.Errorf("ClearIf(tok): cleared %v, clipboard %q", cleared, f.clipboard)
		}
		if cleared, err := w.ClearIf("tok"); cleared || err != nil {
			t.Errorf("ClearIf on an empty clipboard: got %v, %v", cleared, err)
		}
	}
}

func TestNew(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, err := New(env(nil)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("no display: got %v, want ErrUnsupported", err)
	}
	b, err := New(env(map[string]string{"DISPLAY": ":5"}))
	if x, ok := b.(*X11); err != nil || !ok || x.Display != ":5" {
		t.Errorf("X: got %T %v", b, err)
	}
}
