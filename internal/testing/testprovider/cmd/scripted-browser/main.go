// Command scripted-browser does what a person does in a browser at the
// test provider: it logs in (any user name), consents, and follows the
// redirect back to tokentray. `make run DEMO_BROWSER=scripted` uses it as
// $BROWSER on machines without a desktop, and CI uses it to try the demo.
//
//	DEMO_ISSUER=http://127.0.0.1:9400 scripted-browser URL
package main

import (
	"fmt"
	"os"

	"github.com/tokentray/tokentray/internal/testing/testprovider"
)

func main() {
	issuer := os.Getenv("DEMO_ISSUER")
	if len(os.Args) != 2 || issuer == "" {
		fmt.Fprintln(os.Stderr, "usage: DEMO_ISSUER=ISSUER scripted-browser URL")
		os.Exit(2)
	}
	if err := testprovider.Attach(issuer).Browser("demo-user").Browse(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "scripted-browser:", err)
		os.Exit(1)
	}
}
