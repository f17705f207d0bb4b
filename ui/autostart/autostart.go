// Package autostart turns "start tokentray at login" on and off: an XDG
// autostart entry on Linux and the BSDs, a LaunchAgent on macOS, the Run
// key on Windows. The file contents are built by pure functions, tested
// on every platform.
package autostart

import (
	"fmt"
	"strings"
)

// Entry is what starts at login: the executable and its arguments.
type Entry struct {
	Exec string
	Args []string
}

// Label is the identifier of the autostart entry everywhere.
const Label = "io.github.tokentray"

// DesktopFile is the XDG autostart entry (Desktop Entry Specification 1.5;
// Exec quoting per its "The Exec key" section).
func DesktopFile(e Entry) string {
	argv := append([]string{e.Exec}, e.Args...)
	for i, a := range argv {
		argv[i] = desktopQuote(a)
	}
	return fmt.Sprintf(`[Desktop Entry]
Type=Application
Name=tokentray
Comment=Keeps OAuth logins fresh and serves access tokens to local tools
Exec=%s
Icon=tokentray
Terminal=false
Categories=Utility;Security;
X-GNOME-Autostart-enabled=true
X-GNOME-Autostart-Delay=3
`, strings.Join(argv, " "))
}

// desktopQuote quotes an Exec argument when it needs it: inside double
// quotes, ", `, $ and \ are escaped with a backslash, and the whole line
// is then escaped once more as a string value (\ doubled), and % doubled.
func desktopQuote(a string) string {
	a = strings.ReplaceAll(a, "%", "%%")
	if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`=") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range a {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

// LaunchAgentPlist is the macOS LaunchAgent that starts tokentray at
// login (launchd.plist(5)).
func LaunchAgentPlist(e Entry) string {
	var args strings.Builder
	for _, a := range append([]string{e.Exec}, e.Args...) {
		fmt.Fprintf(&args, "\t\t<string>%s</string>\n", xmlEscape(a))
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>%s</string>
	<key>ProgramArguments</key>
	<array>
%s	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`, Label, args.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// RunValue is the command line of the Windows Run key value
// (CommandLineToArgvW quoting).
func RunValue(e Entry) string {
	var out []string
	for _, a := range append([]string{e.Exec}, e.Args...) {
		out = append(out, windowsQuote(a))
	}
	return strings.Join(out, " ")
}

func windowsQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for _, r := range a {
		switch r {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
			slashes = 0
			b.WriteRune(r)
			continue
		default:
			slashes = 0
		}
		if r != '\\' {
			b.WriteRune(r)
		} else {
			b.WriteByte('\\')
		}
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
