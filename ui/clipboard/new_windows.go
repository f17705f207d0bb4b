package clipboard

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32                  = windows.NewLazySystemDLL("user32.dll")
	kernel32                = windows.NewLazySystemDLL("kernel32.dll")
	openClipboard           = user32.NewProc("OpenClipboard")
	closeClipboard          = user32.NewProc("CloseClipboard")
	emptyClipboard          = user32.NewProc("EmptyClipboard")
	getClipboardData        = user32.NewProc("GetClipboardData")
	setClipboardData        = user32.NewProc("SetClipboardData")
	registerClipboardFormat = user32.NewProc("RegisterClipboardFormatW")
	globalAlloc             = kernel32.NewProc("GlobalAlloc")
	globalLock              = kernel32.NewProc("GlobalLock")
	globalUnlock            = kernel32.NewProc("GlobalUnlock")
	globalFree              = kernel32.NewProc("GlobalFree")
)

const (
	cfUnicodeText = 13
	gmemMoveable  = 0x0002
)

// ptr turns memory the system allocated (GlobalLock) into a pointer.
func ptr(u uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&u)) }

// Windows uses the Win32 clipboard, with the formats that keep the data
// out of clipboard history, cloud clipboard and monitoring tools.
type Windows struct{}

// open opens the clipboard, retrying while another program holds it.
func open() error {
	for i := 0; i < 20; i++ {
		if r, _, _ := openClipboard.Call(0); r != 0 {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return errors.New("clipboard: another program keeps the clipboard open")
}

func global(b []byte) (uintptr, error) {
	h, _, err := globalAlloc.Call(gmemMoveable, uintptr(len(b)))
	if h == 0 {
		return 0, fmt.Errorf("clipboard: GlobalAlloc: %w", err)
	}
	p, _, err := globalLock.Call(h)
	if p == 0 {
		globalFree.Call(h)
		return 0, fmt.Errorf("clipboard: GlobalLock: %w", err)
	}
	copy(unsafe.Slice((*byte)(ptr(p)), len(b)), b)
	globalUnlock.Call(h)
	return h, nil
}

func setFormat(name string, data []byte) {
	n, _ := syscall.UTF16PtrFromString(name)
	f, _, _ := registerClipboardFormat.Call(uintptr(unsafe.Pointer(n)))
	if f == 0 {
		return
	}
	if h, err := global(data); err == nil {
		if r, _, _ := setClipboardData.Call(f, h); r == 0 {
			globalFree.Call(h)
		}
	}
}

// Write puts text on the clipboard as CF_UNICODETEXT, marked concealed.
func (Windows) Write(text string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := open(); err != nil {
		return err
	}
	defer closeClipboard.Call()
	emptyClipboard.Call()
	u, err := syscall.UTF16FromString(text)
	if err != nil {
		return errors.New("clipboard: the text holds a NUL")
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&u[0])), 2*len(u))
	h, err := global(b)
	if err != nil {
		return err
	}
	if r, _, err := setClipboardData.Call(cfUnicodeText, h); r == 0 {
		globalFree.Call(h)
		return fmt.Errorf("clipboard: SetClipboardData: %w", err)
	}
	setFormat("ExcludeClipboardContentFromMonitorProcessing", []byte{0})
	setFormat("CanIncludeInClipboardHistory", []byte{0, 0, 0, 0})
	setFormat("CanUploadToCloudClipboard", []byte{0, 0, 0, 0})
	return nil
}

// ClearIf empties the clipboard if it still holds text.
func (Windows) ClearIf(text string) (bool, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := open(); err != nil {
		return false, err
	}
	defer closeClipboard.Call()
	h, _, _ := getClipboardData.Call(cfUnicodeText)
	if h == 0 {
		return false, nil
	}
	p, _, _ := globalLock.Call(h)
	if p == 0 {
		return false, nil
	}
	cur := windows.UTF16PtrToString((*uint16)(ptr(p)))
	globalUnlock.Call(h)
	if cur != text {
		return false, nil
	}
	emptyClipboard.Call()
	return true, nil
}

// New returns the Win32 clipboard.
func New(func(string) string) (Board, error) { return Windows{}, nil }
