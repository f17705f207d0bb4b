//go:build unix

package fasttoken

import (
	"slices"
	"syscall"
	"time"

	"github.com/tokentray/tokentray/app/peercred"
)

// Read asks the agent for the token, within Timeout. ok is false when
// anything at all is not as expected; the caller then hands the command to
// the full CLI, which explains.
func Read(r Request) (token []byte, ok bool) {
	addr := &syscall.SockaddrUnix{Name: r.Socket()}
	if len(addr.Name) >= len(syscall.RawSockaddrUnix{}.Path) { // sun_path; the CLI explains
		return nil, false
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	syscall.CloseOnExec(fd) // SOCK_CLOEXEC is Linux's; nothing execs before the close anyway
	deadline := time.Now().Add(Timeout)
	// SO_SNDTIMEO bounds connect too: a unix socket's connect waits while
	// the agent's backlog is full.
	if !timeout(fd, syscall.SO_SNDTIMEO, deadline) {
		return nil, false
	}
	if err := syscall.Connect(fd, addr); err != nil {
		return nil, false
	}
	if uid, ok := peercred.UID(fd); ok && uid != syscall.Getuid() { // another user's socket: the CLI refuses it
		return nil, false
	}
	if !writeAll(fd, r.request()) {
		return nil, false
	}
	answer := make([]byte, 0, 4096)
	for {
		if !timeout(fd, syscall.SO_RCVTIMEO, deadline) {
			return nil, false
		}
		if len(answer) == cap(answer) {
			if cap(answer) >= MaxAnswer {
				return nil, false
			}
			answer = slices.Grow(answer, cap(answer))
		}
		n, err := syscall.Read(fd, answer[len(answer):cap(answer)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n < 0 {
			return nil, false
		}
		if n == 0 {
			return Token(answer)
		}
		answer = answer[:len(answer)+n]
		if Complete(answer) {
			return Token(answer)
		}
	}
}

// timeout bounds the next blocking call on fd by what is left until
// deadline.
func timeout(fd, opt int, deadline time.Time) bool {
	left := time.Until(deadline)
	if left <= 0 {
		return false
	}
	tv := syscall.NsecToTimeval(left.Nanoseconds())
	return syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, opt, &tv) == nil
}

func writeAll(fd int, b []byte) bool {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return false
		}
		b = b[n:]
	}
	return true
}
