package cli

import (
	"debug/buildinfo"
	"runtime"
	"strings"

	"github.com/tokentray/tokentray/app/launch"
)

// checkPrograms finds tokentray's other programs the way they find each
// other (launch.Find): the front command scripts call, and the windows.
func checkPrograms() finding {
	var found, missing []string
	for _, name := range []string{launch.Front, launch.UI} {
		if p, err := launch.Find(name); err == nil {
			if name == launch.Front {
				p += frontNote(p)
			}
			found = append(found, p)
		} else {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return finding{markWarn, "programs", strings.Join(missing, " and ") + " not found beside this program nor on PATH",
			"install tokentray, tokentray-agent and tokentray-ui side by side (make build puts them in bin/);\nwithout tokentray-ui the tray's windows cannot open, without tokentray the commands in scripts do not run"}
	}
	return finding{markOK, "programs", strings.Join(found, ", "), ""}
}

// frontNote says when the front command lacks its quickest token read
// (internal/early's C path, built on Linux with cgo): `go install` without a
// C compiler, or CGO_ENABLED=0, gives the Go path alone.
func frontNote(front string) string {
	if runtime.GOOS != "linux" {
		return ""
	}
	info, err := buildinfo.ReadFile(front)
	if err != nil {
		return "" // not a Go program: nothing to say
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" && s.Value == "0" {
			return " (built without cgo: token reads take about 1 ms instead of 0.5; build it with a C compiler)"
		}
	}
	return ""
}
