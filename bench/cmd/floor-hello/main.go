// Command floor-hello prints one line and exits: the start-up cost of any
// Go program on this machine, which figure 2 of `make bench` shows beside
// `tokentray token` and oidc-token.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
