package agent

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/pkg/browser"
)

// systemBrowser opens URLs with the profile's browser command, else
// $BROWSER, else the desktop's default (xdg-open, open, start).
type systemBrowser struct {
	command string // the profile's `browser`; may contain %s for the URL
}

// Browse refuses anything but http(s) (cli/cli does the same): a provider
// that hands back a file: or javascript: URL must not reach a shell.
func (b systemBrowser) Browse(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") {
		return fmt.Errorf("refusing to open a URL that is not http(s)")
	}
	command := b.command
	if command == "" {
		command = os.Getenv("BROWSER")
	}
	if command == "" {
		return browser.OpenURL(u)
	}
	argv := strings.Fields(command)
	replaced := false
	for i, a := range argv {
		if strings.Contains(a, "%s") {
			argv[i], replaced = strings.ReplaceAll(a, "%s", u), true
		}
	}
	if !replaced {
		argv = append(argv, u)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the browser %q: %w", argv[0], err)
	}
	go cmd.Wait() // reap it; a browser may run for hours
	return nil
}
