package api

import (
	"fmt"
	"io/fs"

	"golang.org/x/sys/windows"
)

// protectDir gives dir a protected DACL that lets in the current user and
// SYSTEM only, inherited by everything in it (the TCP key above all):
// chmod means nothing on Windows, and a --runtime-dir may sit where others
// can read.
func protectDir(dir string) error {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("current user: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + u.User.Sid.String() + ")(A;OICI;FA;;;SY)")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("making %s private: %w", dir, err)
	}
	return nil
}

// privateMode is true: the directory's DACL (protectDir), not the file's
// mode bits, keeps the key private on Windows.
func privateMode(fs.FileInfo) bool { return true }
