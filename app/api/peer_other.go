//go:build unix && !linux && !darwin

package api

// peerUID is unknown here; the private runtime directory still guards the socket.
func peerUID(int) (int, bool) { return 0, false }
