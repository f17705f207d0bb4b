// Package launch finds tokentray's programs and hands a command over to
// them. tokentray is three programs so that each process links only what it
// runs:
//
//   - tokentray, the command people and tools run: it answers
//     `tokentray token PROFILE` itself (app/fasttoken; on Linux with cgo,
//     internal/early, before Go's runtime starts) and hands every other
//     command to tokentray-agent;
//   - tokentray-agent: the agent, its tray and the rest of the command line
//     (net/http, the keyring, D-Bus);
//   - tokentray-ui: the Fyne windows, started on demand.
//
// Linking net/http alone costs a Go program about a millisecond at every
// start, and Fyne's package initialisers five more (BENCHMARKS.md): a token
// read by a script must pay for neither.
package launch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// The programs' names, without the .exe of Windows.
const (
	Front = "tokentray"
	Agent = "tokentray-agent"
	UI    = "tokentray-ui"
)

// Find returns the path of the program name: beside the running
// executable (symbolic links resolved, so a link on PATH to an install
// directory works), else on PATH.
func Find(name string) (string, error) {
	p, self := beside(name)
	if p != "" {
		return p, nil
	}
	if p, err := exec.LookPath(exeName(name)); err == nil {
		return filepath.Abs(p)
	}
	where := "the directory of " + self
	if self == "" {
		where = "this program's directory"
	}
	return "", &NotFoundError{Name: name, Where: where}
}

// beside returns the program name in the running executable's directory
// ("" when it is not there, or not executable), and the running
// executable's own path, symbolic links resolved ("" when unknown).
func beside(name string) (path, self string) {
	self, err := os.Executable()
	if err != nil {
		return "", ""
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	p := filepath.Join(filepath.Dir(self), exeName(name))
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && (runtime.GOOS == "windows" || st.Mode()&0o111 != 0) {
		return p, self
	}
	return "", self
}

// exeName is a program's file name: with .exe on Windows.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// NotFoundError says that one of tokentray's programs is missing.
type NotFoundError struct {
	Name  string
	Where string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s is not installed: it is in neither %s nor on PATH (tokentray, tokentray-agent and tokentray-ui are installed side by side; `make build` puts all three in bin/)", e.Name, e.Where)
}

// ErrNotFound matches every NotFoundError.
var ErrNotFound = errors.New("a tokentray program is not installed")

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Self is the path of the tokentray front command, for the command lines
// tokentray writes for others (autostart entries): the front beside this
// program when there is one, else this program.
func Self() (string, error) {
	front, self := beside(Front)
	switch {
	case front != "":
		return front, nil
	case self != "":
		return self, nil
	}
	return os.Executable() // for its error
}

// Exec runs program name with args in place of this process, as if it had
// been started itself: same process, standard streams, environment and
// signals (on Windows, which cannot replace a process, it runs it as a
// child and exits with its status). argv0 is what the program sees as its
// own name, and ps shows. Exec returns only on failure.
func Exec(name, argv0 string, args []string) error {
	path, err := Find(name)
	if err != nil {
		return err
	}
	return execve(path, append([]string{argv0}, args...))
}
