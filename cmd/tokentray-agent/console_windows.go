package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// tokentray-agent.exe is built as a GUI program (-H=windowsgui): started at
// login or from the Start menu, the tray must not open a console window.
// It is also the command line: the tokentray.exe front (a console program)
// hands it its own standard handles, and when it is run straight from a
// console it attaches to that console so its output still shows there.
func init() {
	if h, err := windows.GetStdHandle(windows.STD_ERROR_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return // handed over by the front, or redirected: use what we got
	}
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	if ok, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess); ok == 0 {
		return // no console to show anything in: the tray alone
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
	if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = f
	}
}
