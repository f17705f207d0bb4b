// Command tokentray-ui shows tokentray's windows (Fyne): settings, token
// details, login progress, status. The tray starts it on demand, and
// `tokentray ui WINDOW` hands over to it; it is the only program that links
// the GUI toolkit, and lives only while a window is open. It is a client
// of the agent like any other (app/apiclient): it links neither the
// agent, its sessions nor the keyring.
//
//	tokentray-ui [--config FILE] [--runtime-dir DIR] WINDOW [ARGS]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokentray/tokentray/app/apiclient"
	"github.com/tokentray/tokentray/app/launch"
	"github.com/tokentray/tokentray/ui/desktop"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

const help = `Usage: tokentray ui [--config FILE] [--runtime-dir DIR] WINDOW [ARGS]

Opens one of tokentray's windows; it talks to the running agent.

Windows:
%s
Flags:
  --config FILE        accepted as by every tokentray command; the windows
                       edit the file the running agent reads
  --runtime-dir DIR    the agent's private directory (default
                       $TOKENTRAY_RUNTIME_DIR, else $XDG_RUNTIME_DIR/tokentray)
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tokentray ui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("config", os.Getenv("TOKENTRAY_CONFIG"), "")
	runtimeDir := fs.String("runtime-dir", os.Getenv("TOKENTRAY_RUNTIME_DIR"), "")
	fs.Bool("debug", false, "") // accepted as by every tokentray command
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, help, launch.WindowUsage())
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "tokentray: %v\n\n"+help, err, launch.WindowUsage())
		return 2
	case fs.NArg() == 0:
		fmt.Fprintf(stderr, help, launch.WindowUsage())
		return 2
	case fs.Arg(0) == "help":
		fmt.Fprintf(stdout, help, launch.WindowUsage())
		return 0
	case fs.Arg(0) == "version":
		fmt.Fprintln(stdout, "tokentray-ui", version)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := apiclient.NewClient(apiclient.SocketPath(apiclient.RuntimeDir(*runtimeDir)))
	if err := desktop.Run(ctx, fs.Args(), c); err != nil {
		fmt.Fprintf(stderr, "tokentray: %v\n", err)
		return 1
	}
	return 0
}
