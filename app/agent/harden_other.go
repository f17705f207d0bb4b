//go:build !linux

package agent

import "log/slog"

// hardenProcess does nothing here. macOS: a process of the same user may
// attach a debugger only with the developer tools' entitlements or as root
// (PT_DENY_ATTACH would stop even that, but it is a ptrace call Go does not
// offer and it breaks crash reports); crash reports hold no memory image.
// Windows: processes of the same user may open each other (the README
// says so); Windows Error Reporting writes no full dump unless configured.
func hardenProcess(*slog.Logger) {}
