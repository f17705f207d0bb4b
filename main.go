// Command tokentray is the command people and tools run. It reads a
// profile's token itself (`tokentray token PROFILE`, the call scripts make
// all day) and hands every other command, and the agent, to
// tokentray-agent installed beside it. See the README and app/launch.
//
// With cgo on Linux, internal/early does both in C before Go's runtime
// starts; main runs only when it could not.
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/fasttoken"
	"github.com/tokentray/tokentray/app/launch"
	"github.com/tokentray/tokentray/internal/early"
)

// main is the front's Go path. It imports no net/http and no command
// tree (imports_test.go keeps it so): linking them would cost every token
// read a millisecond of package initialisation.
func main() {
	args := os.Args[1:]
	// early.Tried: the C path already asked the agent and was not
	// answered a plain token; asking again would only double the wait.
	if req, ok := fasttoken.Parse(args, os.Getenv); ok && !early.Tried() {
		if tok, ok := fasttoken.Read(req); ok {
			if _, err := os.Stdout.Write(append(tok, '\n')); err != nil {
				os.Exit(1)
			}
			return
		}
	}
	err := launch.Exec(launch.Agent, os.Args[0], args)
	os.Stderr.WriteString("tokentray: " + err.Error() + "\n")
	os.Exit(1)
}
