package assets

import (
	"bytes"
	"errors"
	"image/png"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCallbackPage(t *testing.T) {
	tests := []struct {
		name    string
		who     string
		err     error
		status  int
		want    []string
		wantNot []string
	}{
		{"success", "alice", nil, 200, []string{"Signed in to <code>work</code>", "signed in as <strong>alice</strong>", "close this tab", `<link rel="icon" type="image/png" href="data:image/png;base64,`}, []string{"failed"}},
		{"success, nobody named", "", nil, 200, []string{"tokentray is signed in and keeps"}, []string{"signed in as"}},
		{"who escapes", "<b>x</b>", nil, 200, []string{"&lt;b&gt;x&lt;/b&gt;"}, []string{"<b>x"}},
		{"failure escapes", "", errors.New("the provider refused: access_denied <script>"), 403, []string{"Sign-in failed", "access_denied &lt;script&gt;", "tokentray login work"}, nil},
		{"callback prefix dropped", "", errors.New("login callback: the provider refused: access_denied"), 403, []string{"<p class=\"message\">The provider refused: access_denied</p>"}, []string{"login callback:"}},
		{"repeated answer", "", errors.New("login callback: this login was already completed"), 409, []string{"already complete", "close this tab"}, []string{"Sign-in failed"}},
		{"stray address", "", errors.New("login callback: no such page"), 404, []string{"Nothing here"}, []string{"Sign-in failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			CallbackPage(rec, "work", tt.who, tt.status, tt.err)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("page has %q; want it not to", w)
				}
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", got)
			}
		})
	}
}

func TestIcons(t *testing.T) {
	for _, st := range TrayStates {
		for _, dark := range []bool{false, true} {
			for _, size := range TraySizes {
				b := TrayIcon(st, dark, size)
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("TrayIcon(%q, %v, %d): %v", st, dark, size, err)
				}
				if got := img.Bounds().Dx(); got != size {
					t.Errorf("TrayIcon(%q, %v, %d): got %d px, want %d", st, dark, size, got, size)
				}
			}
		}
	}
	if got := TrayIcon("ok", false, 20); !bytes.Equal(got, TrayIcon("ok", false, 22)) {
		t.Error("TrayIcon at 20 px: want the 22 px icon")
	}
	if got := TrayIcon("nonsense", true, 32); !bytes.Equal(got, TrayIcon("error", true, 32)) {
		t.Error("TrayIcon of an unknown state: want the error icon")
	}
	// The states differ from each other, and the two panels differ.
	seen := map[string]string{}
	for _, st := range TrayStates {
		for _, dark := range []bool{false, true} {
			k := string(TrayIcon(st, dark, 32))
			if prev, dup := seen[k]; dup {
				t.Errorf("%s (dark %v) is the same picture as %s", st, dark, prev)
			}
			seen[k] = st
		}
	}
	if img, err := png.Decode(bytes.NewReader(AppIcon())); err != nil || img.Bounds().Dx() != 256 {
		t.Errorf("AppIcon: want a 256 px PNG, got err %v", err)
	}
}

func TestTrayIconICO(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range TrayStates {
		for _, dark := range []bool{false, true} {
			b := TrayIconICO(st, dark)
			// ICONDIR: reserved 0, type 1 (icon), four images (16, 24, 32, 48).
			if len(b) < 6 || !bytes.Equal(b[:6], []byte{0, 0, 1, 0, 4, 0}) {
				t.Errorf("TrayIconICO(%q, %v): got header % x, want 00 00 01 00 04 00", st, dark, b[:min(6, len(b))])
			}
			seen[string(b)] = true
		}
	}
	if got, want := len(seen), 2*len(TrayStates); got != want {
		t.Errorf("got %d different icons, want %d", got, want)
	}
	if got := TrayIconICO("nonsense", true); !bytes.Equal(got, TrayIconICO("error", true)) {
		t.Error("TrayIconICO of an unknown state: want the error icon")
	}
}
