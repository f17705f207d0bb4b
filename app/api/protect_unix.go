//go:build !windows

package api

import "io/fs"

// protectDir does nothing here: EnsurePrivateDir's mode 0700 is the
// protection.
func protectDir(string) error { return nil }

// privateMode tells a key file that only its owner may read.
func privateMode(st fs.FileInfo) bool { return st.Mode().Perm() == 0o600 }
