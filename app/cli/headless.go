package cli

import (
	"bufio"
	"io"
	"strings"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// deviceLogin runs a device login (RFC 8628): it shows the code and where
// to enter it, and waits until it is confirmed there.
func (c *cmdContext) deviceLogin(cl *apiclient.Client, profile string) error {
	return cl.LoginDevice(c.ctx, profile, func(dc apiclient.DeviceCode) {
		c.errorf("To log in to %s, open this page on any device:\n\n  %s\n\nand enter the code\n\n  %s\n\n", profile, dc.VerificationURI, dc.UserCode)
		if dc.VerificationURIComplete != "" {
			c.errorf("(or open %s, which carries the code)\n\n", dc.VerificationURIComplete)
		}
		left := ""
		if !dc.ExpiresAt.IsZero() {
			left = " (the code expires in " + apiclient.Human(time.Until(dc.ExpiresAt)) + ")"
		}
		c.errorf("Waiting for the code to be confirmed%s; Ctrl-C cancels…\n", left)
	})
}

// maxPasteLines bounds how many lines a no-browser login reads.
const maxPasteLines = 20

// noBrowserLogin prints the login URL and waits for the login to end:
// through the loopback redirect when the browser runs on this machine, or
// through the address a browser on another machine ended on, pasted here.
func (c *cmdContext) noBrowserLogin(cl *apiclient.Client, profile string) error {
	shown := make(chan struct{})
	go c.readPastes(cl, profile, shown)
	return cl.Login(c.ctx, profile, true, func(u string) {
		c.errorf(`Open this URL in a browser to log in to %s:

  %s

If that browser runs on another machine, it ends on a page that cannot be
reached (http://127.0.0.1:…/…). Copy that page's whole address from the
address bar and paste it here, then press Enter.

Waiting for the login to finish (Ctrl-C cancels)…
`, profile, u)
		close(shown)
	})
}

// readPastes hands each line typed after the URL was shown to the agent,
// until the agent takes one or the input ends. A refused address (another
// login's, mistyped) is reported and another one can be pasted.
func (c *cmdContext) readPastes(cl *apiclient.Client, profile string, shown <-chan struct{}) {
	select {
	case <-shown:
	case <-c.ctx.Done():
		return
	}
	sc := bufio.NewScanner(io.LimitReader(c.env.Stdin, maxPasteLines*(16<<10)))
	sc.Buffer(make([]byte, 16<<10), 16<<10)
	for n := 0; n < maxPasteLines && sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		_, err := cl.PasteLogin(c.ctx, profile, line)
		switch {
		case err == nil:
			return // the login stream reports the outcome
		case apiclient.CodeOf(err) == apiclient.CodeBadCallback || apiclient.CodeOf(err) == apiclient.CodeBadRequest:
			c.errorf("tokentray: %v\nPaste the address again, or Ctrl-C to cancel.\n", err)
		default:
			return // the login ended; its stream says how
		}
	}
}
