// Package winpipe is the agent's local transport on Windows: a named pipe
// that only the user who runs the agent (and SYSTEM) may open, and a client
// that refuses a pipe served by anyone else. On other systems the agent
// uses a unix socket (app/api, app/agent) and this package is empty.
//
// Why not github.com/Microsoft/go-winio: its pipes are overlapped, and under
// Wine 8.0 (where CI runs the Windows build) its Accept never returns, so
// the client's first write hangs. A synchronous server over
// golang.org/x/sys/windows (one blocking ConnectNamedPipe at a time, in its
// own goroutine) works both on Windows and under Wine; Go's os.File cancels
// a pending synchronous pipe read on Close (CancelIoEx).
package winpipe
