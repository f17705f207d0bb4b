package tray

import "os"

// autostartExe is what Start at login runs: on Windows the agent itself, a
// GUI program, since the tokentray.exe front is a console program and
// would open a console window at every login.
func autostartExe() (string, error) { return os.Executable() }
