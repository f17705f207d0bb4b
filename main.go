// Command tokentray keeps OAuth 2.0 / OpenID Connect logins fresh and serves
// their access tokens to local tools. See the README.
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/cli"
	"github.com/tokentray/tokentray/ui/desktop"
	"github.com/tokentray/tokentray/ui/tray"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Version: version,
		RunTray: tray.RunAgent,
		RunUI:   desktop.Run,
	}))
}
