// Command tokentray-agent is the agent, its tray and the whole command
// line. People run it as `tokentray …`: the tokentray front command hands
// it every command but the plain token read.
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/cli"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Version: version,
		RunTray: runTray,
	}))
}
