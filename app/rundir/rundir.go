// Package rundir says where the agent's socket (a named pipe on Windows)
// is. It is its own package, with little but os in it, because the
// tokentray front command needs the path and must stay small enough to
// start in about a millisecond.
package rundir

// Dir returns the agent's private directory: override if set (the
// --runtime-dir flag or TOKENTRAY_RUNTIME_DIR), else the system's
// per-user default (defaultDir).
func Dir(override string) string {
	if override != "" {
		return override
	}
	return defaultDir()
}
