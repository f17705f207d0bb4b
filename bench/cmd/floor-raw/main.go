// Command floor-raw reads a token from the agent's unix socket with raw
// system calls and a hand-written HTTP/1.1 request: no net, no net/http, no
// encoding/json in the binary. It is the floor of a Go token command;
// figure 2 of `make bench` shows it beside `tokentray token`.
//
//	TOKENTRAY_RUNTIME_DIR=DIR floor-raw PROFILE
package main

import (
	"bytes"
	"os"
	"syscall"
)

func fail(msg string) {
	os.Stderr.WriteString("floor-raw: " + msg + "\n")
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: TOKENTRAY_RUNTIME_DIR=DIR floor-raw PROFILE")
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fail(err.Error())
	}
	// The path by hand, not app/rundir: it would link path/filepath and
	// strconv, which this floor leaves out.
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: os.Getenv("TOKENTRAY_RUNTIME_DIR") + "/agent.sock"}); err != nil {
		fail(err.Error())
	}
	req := "GET /v1/token/" + os.Args[1] + " HTTP/1.1\r\nHost: tokentray.sock\r\nAccept: text/plain\r\nConnection: close\r\n\r\n"
	if _, err := syscall.Write(fd, []byte(req)); err != nil {
		fail(err.Error())
	}
	var resp []byte
	buf := make([]byte, 4096)
	for len(resp) < 1<<20 {
		n, err := syscall.Read(fd, buf)
		if err != nil {
			fail(err.Error())
		}
		if n == 0 {
			break
		}
		resp = append(resp, buf[:n]...)
	}
	syscall.Close(fd)
	head, body, ok := bytes.Cut(resp, []byte("\r\n\r\n"))
	if !ok || !bytes.HasPrefix(head, []byte("HTTP/1.1 200 ")) {
		fail("no 200 answer")
	}
	os.Stdout.Write(append(body, '\n'))
}
