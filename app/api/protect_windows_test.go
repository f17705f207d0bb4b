package api

import (
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// TestWindowsPrivateDirDACL: the runtime dir (and so tcp.key in it) lets in
// the current user and SYSTEM only, and inherits nothing from its parent.
func TestWindowsPrivateDirDACL(t *testing.T) {
	if windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil {
		// Measured with Wine 8.0: SetNamedSecurityInfo on a file returns
		// success and changes nothing; the DACL read back is made up from
		// the unix mode bits. Only real Windows can check this.
		t.Skip("Wine 8.0 accepts file DACLs and ignores them")
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	ctl, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	if ctl&windows.SE_DACL_PROTECTED == 0 {
		t.Errorf("DACL protected: got no, want yes (%v)", sd)
	}
	me, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	system, _ := windows.CreateWellKnownSid(windows.WinLocalSystemSid)
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("DACL: %v", err)
	}
	var got []string
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		got = append(got, sid.String())
		if !sid.Equals(me.User.Sid) && !sid.Equals(system) {
			t.Errorf("ACE %d: got %v, want only %v (you) and %v (SYSTEM)", i, sid, me.User.Sid, system)
		}
	}
	if len(got) != 2 {
		t.Errorf("ACEs: got %v, want 2 (you and SYSTEM)", got)
	}
}
