package peercred

import "golang.org/x/sys/unix"

// UID returns the uid of the process at the other end of the connected
// unix socket fd; ok is false when the system cannot say.
func UID(fd int) (uid int, ok bool) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return 0, false
	}
	return int(cred.Uid), true
}
