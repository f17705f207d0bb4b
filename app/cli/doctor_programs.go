package cli

import (
	"strings"

	"github.com/tokentray/tokentray/app/launch"
)

// checkPrograms finds tokentray's other programs the way they find each
// other (launch.Find): the front command scripts call, and the windows.
func checkPrograms() finding {
	var found, missing []string
	for _, name := range []string{launch.Front, launch.UI} {
		if p, err := launch.Find(name); err == nil {
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
