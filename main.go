// Command tokentray is the command people and tools run. It hands every
// command, and the agent, to tokentray-agent installed beside it. See the
// README and app/launch.
package main

import (
	"os"

	"github.com/tokentray/tokentray/app/launch"
)

func main() {
	err := launch.Exec(launch.Agent, os.Args[0], os.Args[1:])
	os.Stderr.WriteString("tokentray: " + err.Error() + "\n")
	os.Exit(1)
}
