package api

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tokentray/tokentray/app/tcppeer"
)

// tcpListen is the state column's value of a listening socket
// (include/net/tcp_states.h).
const tcpListen = "0A"

// portHolder finds who listens on a local TCP port: the owner's uid from
// the kernel's socket table (anyone may read it), then the process from
// the socket's inode among the descriptors in /proc that we may read
// (our own processes, or every process when we are root).
func portHolder(port int) (PortHolder, bool) {
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		uid, inode, ok := findListener(f, port)
		f.Close()
		if ok {
			h := PortHolder{UID: uid, UIDKnown: true}
			h.PID, h.Command = socketOwner(inode)
			return h, true
		}
	}
	return PortHolder{}, false
}

// findListener scans a /proc/net/tcp{,6} table for the socket listening on
// port (any address) and returns its owner and inode.
func findListener(r io.Reader, port int) (uid int, inode string, ok bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 4096)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		if _, p, ok := tcppeer.ParseProcAddr(f[1]); !ok || p != port {
			continue
		}
		u, err := strconv.Atoi(f[7])
		if err != nil {
			return 0, "", false
		}
		return u, f[9], true
	}
	return 0, "", false
}

// maxProcScan bounds the processes socketOwner looks at.
const maxProcScan = 20000

// socketOwner finds the process holding the socket of this inode, by its
// descriptors: 0 and "" when none we may read has it.
func socketOwner(inode string) (pid int, command string) {
	if inode == "" || inode == "0" {
		return 0, ""
	}
	want := "socket:[" + inode + "]"
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, ""
	}
	for i, p := range procs {
		if i >= maxProcScan {
			break
		}
		n, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue // another user's process: not ours to see
		}
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && l == want {
				comm, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
				return n, strings.TrimSpace(string(comm))
			}
		}
	}
	return 0, ""
}
