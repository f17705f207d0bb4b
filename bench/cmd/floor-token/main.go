// Command floor-token reads a token from the agent's unix socket the way
// `tokentray token PROFILE` does (net/http, JSON), with nothing else in
// the binary: what a Go token command costs at the least. Figure 2 of
// `make bench` shows it beside `tokentray token`.
//
//	TOKENTRAY_RUNTIME_DIR=DIR floor-token PROFILE
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/tokentray/tokentray/app/rundir"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: TOKENTRAY_RUNTIME_DIR=DIR floor-token PROFILE")
		os.Exit(2)
	}
	// net/http links all that app/rundir does: it adds nothing to measure.
	sock := rundir.Socket(rundir.Dir(os.Getenv(rundir.Env)))
	hc := &http.Client{Timeout: 35 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
	resp, err := hc.Get("http://tokentray.sock/v1/token/" + os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor-token:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&t); err != nil || resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "floor-token: HTTP", resp.StatusCode, err)
		os.Exit(1)
	}
	fmt.Println(t.AccessToken)
}
