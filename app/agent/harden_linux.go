package agent

import (
	"log/slog"

	"golang.org/x/sys/unix"
)

// hardenProcess keeps the refresh tokens in this process's memory out of
// core files and away from other processes of the same user: no core dump
// (RLIMIT_CORE 0, which also covers GOTRACEBACK=crash), and not dumpable,
// which also makes ptrace(2) attach and /proc/PID/mem, environ and fd
// root's business only. RLIMIT_CORE alone is not enough: a core_pattern
// that pipes to a collector (systemd-coredump, apport) ignores a zero
// limit, but not an undumpable process. Root still sees everything. Every entry to the
// agent (with or without a tray, tests' agents too) passes here.
//
// The soft limit of open files is already at the hard one: Go raises it at
// start (since Go 1.19) and puts it back for the programs it starts.
func hardenProcess(log *slog.Logger) {
	// The soft limit only: the programs the agent starts (a browser) may
	// still raise theirs.
	var lim unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_CORE, &lim)
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: lim.Max}); err != nil {
		log.Warn("could not turn off core dumps", "err", err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		log.Warn("could not make the agent undumpable", "err", err)
	}
}
