// Command chromium-login does what a person does in a browser at the test
// provider, in a real headless Chromium: it signs in (any user name),
// consents and lets the provider send it back to tokentray, whose callback
// page it then prints. `make run DEMO_BROWSER=chromium` uses it as $BROWSER
// on machines without a desktop.
//
//	DEMO_ISSUER=http://127.0.0.1:9400 chromium-login URL
package main

import (
	"fmt"
	"os"

	"github.com/tokentray/tokentray/internal/testing/realbrowser"
)

func main() {
	issuer := os.Getenv("DEMO_ISSUER")
	if len(os.Args) != 2 || issuer == "" {
		fmt.Fprintln(os.Stderr, "usage: DEMO_ISSUER=ISSUER chromium-login URL")
		os.Exit(2)
	}
	if err := run(issuer, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "chromium-login:", err)
		os.Exit(1)
	}
}

func run(issuer, url string) error {
	path, err := realbrowser.Path()
	if err != nil {
		return err
	}
	c, err := realbrowser.Start(path)
	if err != nil {
		return err
	}
	defer c.Close()
	tab, err := c.NewTab()
	if err != nil {
		return err
	}
	if _, err := (realbrowser.Person{Issuer: issuer, User: "demo-user"}).Walk(tab, url); err != nil {
		return err
	}
	text, err := tab.Text()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "chromium-login: the callback page says: %s\n", text)
	return nil
}
