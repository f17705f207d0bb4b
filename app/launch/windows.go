package launch

import (
	"fmt"
	"strings"
)

// A Window is one of the windows tokentray-ui opens (`tokentray ui NAME
// ARGS`). Args "PROFILE" means exactly one argument, a profile's name.
type Window struct{ Name, Args, Summary string }

// Windows are the windows tokentray-ui opens: `tokentray help ui` and
// `tokentray-ui --help` list them, and both check a window's name here.
var Windows = []Window{
	{"settings", "", "the profiles: add, edit, remove"},
	{"details", "PROFILE", "what the profile's current access token says"},
	{"login", "PROFILE", "log in, with the URL to copy for another browser"},
	{"status", "[--quit-button]", "every profile and its actions in a small window (--quit-button: a button that ends the agent)"},
	{"about", "", "the version and where tokentray lives"},
}

// WindowUsage lists the windows, one a line.
func WindowUsage() string {
	var b strings.Builder
	for _, w := range Windows {
		fmt.Fprintf(&b, "  %-24s %s\n", strings.TrimSpace(w.Name+" "+w.Args), w.Summary)
	}
	return b.String()
}
