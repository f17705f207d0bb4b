//go:build !windows

package store

import "github.com/zalando/go-keyring"

// The OS keyring's calls. The Secret Service takes secrets of any size
// (4 KB … 8 MB measured); the Windows build chunks (keyring_windows.go).
var (
	osGet    = keyring.Get
	osSet    = keyring.Set
	osDelete = keyring.Delete
)
