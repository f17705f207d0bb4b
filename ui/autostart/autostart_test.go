package autostart

import (
	"strings"
	"testing"
)

func TestDesktopFile(t *testing.T) {
	tests := []struct {
		e        Entry
		wantExec string
	}{
		{Entry{Exec: "/usr/bin/tokentray"}, "Exec=/usr/bin/tokentray\n"},
		{Entry{Exec: "/opt/My Apps/tokentray", Args: []string{"--config", "/home/me/cfg 100%.toml"}},
			`Exec="/opt/My Apps/tokentray" --config "/home/me/cfg 100%%.toml"` + "\n"},
		{Entry{Exec: "/bin/t", Args: []string{`a"b$c`}}, `Exec="a\\"b\\$c"`},
	}
	for _, tt := range tests {
		got := DesktopFile(tt.e)
		if !strings.Contains(got, tt.wantExec) && !strings.Contains(got, strings.TrimPrefix(tt.wantExec, "Exec=")) {
			t.Errorf("DesktopFile(%+v):\n%s\nwant a line %q", tt.e, got, tt.wantExec)
		}
		for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=tokentray\n", "Terminal=false\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("DesktopFile lacks %q", want)
			}
		}
	}
}

func TestLaunchAgentPlist(t *testing.T) {
	got := LaunchAgentPlist(Entry{Exec: "/Applications/tokentray.app/Contents/MacOS/tokentray", Args: []string{"--config", "/Users/me/a&b.toml"}})
	for _, want := range []string{"<string>io.github.tokentray</string>", "<key>RunAtLoad</key>\n\t<true/>",
		"<string>/Applications/tokentray.app/Contents/MacOS/tokentray</string>", "<string>/Users/me/a&amp;b.toml</string>"} {
		if !strings.Contains(got, want) {
			t.Errorf("plist lacks %q:\n%s", want, got)
		}
	}
}

func TestRunValue(t *testing.T) {
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Exec: `C:\tokentray.exe`}, `C:\tokentray.exe`},
		{Entry{Exec: `C:\Program Files\tokentray\tokentray.exe`, Args: []string{"--config", `C:\Users\me\cfg.toml`}},
			`"C:\Program Files\tokentray\tokentray.exe" --config C:\Users\me\cfg.toml`},
		{Entry{Exec: `C:\t.exe`, Args: []string{`dir with space\`, `say "hi"`}}, `C:\t.exe "dir with space\\" "say \"hi\""`},
	}
	for _, tt := range tests {
		if got := RunValue(tt.e); got != tt.want {
			t.Errorf("RunValue(%+v): got %s, want %s", tt.e, got, tt.want)
		}
	}
}
