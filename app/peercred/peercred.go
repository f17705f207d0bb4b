// Package peercred names the user at the other end of a unix socket
// connection, from the kernel (SO_PEERCRED on Linux, LOCAL_PEERCRED on
// macOS). The agent asks it of every client, and every client of the
// agent's socket asks it of the agent: a socket served by another user is
// not ours to send a password, a secret or a token request to, nor to take
// a token from. It links only golang.org/x/sys/unix, so the tokentray
// front command may use it.
package peercred
