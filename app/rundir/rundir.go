// Package rundir says where the agent's socket (a named pipe on Windows)
// is. It is its own package, with little but os in it, because the
// tokentray front command needs the path and must stay small enough to
// start in about a millisecond.
package rundir

// The parts of Dir and Socket on unix. internal/early's C builds the same
// path before Go starts, from these constants (`go generate
// ./internal/early` writes them into its zz_generated.h; a test there fails
// when it is stale).
const (
	Env        = "TOKENTRAY_RUNTIME_DIR" // the override, beside the --runtime-dir flag
	XDGSubdir  = "tokentray"             // the directory under $XDG_RUNTIME_DIR
	TempPrefix = "tokentray-"            // + the uid: the directory under the temp directory
	SocketName = "agent.sock"
)

// Dir returns the agent's private directory: override if set (the
// --runtime-dir flag or TOKENTRAY_RUNTIME_DIR), else the system's
// per-user default (defaultDir).
func Dir(override string) string {
	if override != "" {
		return override
	}
	return defaultDir()
}
