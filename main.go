// Command tokentray is the command people and tools run. It reads a
// profile's token itself (`tokentray token PROFILE`, the call scripts make
// all day) and hands every other command, and the agent, to
// tokentray-agent installed beside it. See the README and app/launch.
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/fasttoken"
	"github.com/tokentray/tokentray/app/launch"
)

func main() {
	args := os.Args[1:]
	if req, ok := fasttoken.Parse(args, os.Getenv); ok {
		if tok, ok := fasttoken.Read(req); ok {
			os.Stdout.Write(append(tok, '\n'))
			return
		}
	}
	err := launch.Exec(launch.Agent, os.Args[0], args)
	os.Stderr.WriteString("tokentray: " + err.Error() + "\n")
	os.Exit(1)
}
