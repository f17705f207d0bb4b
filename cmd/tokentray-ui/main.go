// Command tokentray-ui shows tokentray's windows (Fyne): settings, token
// details, login progress, status. The tray starts it on demand, and
// `tokentray ui WINDOW` hands over to it; it is the only program that links
// the GUI toolkit, and lives only while a window is open.
//
//	tokentray-ui [--config FILE] [--runtime-dir DIR] WINDOW [ARGS]
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/cli"
	"github.com/tokentray/tokentray/ui/desktop"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Main(append([]string{"ui"}, os.Args[1:]...), cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Version: version,
		RunUI:   desktop.Run,
	}))
}
