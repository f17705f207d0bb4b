package rundir

import (
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// defaultDir is %LOCALAPPDATA%\tokentray: per user, not roaming, and
// readable by that user (and SYSTEM and administrators) only by default.
// os.Getuid is -1 on Windows, so the unix default would be shared by all.
func defaultDir() string {
	if d := os.Getenv("LOCALAPPDATA"); d != "" {
		return filepath.Join(d, "tokentray")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "tokentray")
	}
	return filepath.Join(os.TempDir(), "tokentray-"+userName())
}

// Socket is the agent's named pipe for the runtime directory dir (Windows
// has no unix socket under Wine, and a pipe with a user-only DACL is
// Windows' own convention). Pipe names are global, so the name carries the
// user's name and a hash of dir: each user, and each --runtime-dir, gets
// its own. app/winpipe refuses a pipe that another user serves.
func Socket(dir string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(filepath.Clean(dir))))
	return `\\.\pipe\tokentray-` + userName() + "-" + strconv.FormatUint(h.Sum64(), 36)
}

// userName is USERNAME without the characters a pipe name cannot hold.
func userName() string {
	u := os.Getenv("USERNAME")
	if u == "" {
		return "user"
	}
	return strings.Map(func(r rune) rune {
		if r == '\\' || r == '/' || r < ' ' {
			return '_'
		}
		return r
	}, u)
}
