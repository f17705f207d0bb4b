//go:build cgo && linux

// Package early answers `tokentray token [PROFILE]` before Go's runtime
// starts. On a small VM, a Go program takes about 0.8 ms to reach main —
// a C program 0.3 ms — and oidc-token, the peer figure 2 of BENCHMARKS.md
// measures tokentray against, answers in about the time Go needs to start.
// So the front command carries a C constructor (the way runc's nsenter
// runs before the runtime), which:
//
//   - reads the token itself when the command line is a plain token read
//     (the same one app/fasttoken takes, parsed and answered the same way:
//     the fuzz tests here hold the two together), writes it and exits;
//   - else execs tokentray-agent from beside the program, as launch.Exec
//     would;
//   - and returns, for Go's main, when it cannot do either: Go then takes
//     its own path, which looks on PATH and explains failures.
//
// It is Linux with glibc only (musl calls constructors without argv); other
// systems, and builds without cgo, use app/fasttoken alone.
//
// Why keep a second language: the Go path alone cannot get under Go's own
// start. Figure 2 of BENCHMARKS.md times a Go hello world at 0.85–1.11×
// oidc-token on the machine it runs on, the Go front at 1.17×, and this C
// path at about 0.6×: it is what makes `tokentray token` the cheapest call
// a script can make. Its price is kept small: the facts it shares with Go
// (the socket path's parts, the flags it takes, the request and the
// answer it reads) have their one home in app/rundir and app/fasttoken and
// reach C through zz_generated.h, which `go generate` writes (a test in
// gen/ fails when it is stale); the two readers of the answer are held
// together by the fuzz tests here.
package early

//go:generate go run ./gen

/*
#include <stdlib.h>
#include "early.h"
*/
import "C"

import (
	"os"
	"unsafe"
)

// Tried reports whether the C path already asked the agent for the token;
// the answer was not one it takes, so Go's main hands the command over
// without asking again.
func Tried() bool { return C.tokentray_early_tried != 0 }

// The C functions, called from Go for the tests that hold them to
// app/fasttoken.

// env is the environment the C parser reads; the uid is this process's,
// as Go's path finds it.
type env struct{ runtimeDir, xdg, tmpdir string }

func parse(args []string, e env) (profile, socket string, ok bool) {
	cargs := make([]*C.char, len(args)+1)
	for i, a := range args {
		cargs[i] = C.CString(a)
		defer C.free(unsafe.Pointer(cargs[i]))
	}
	ce := C.struct_tt_env{uid: C.uint(os.Getuid())}
	for _, v := range []struct {
		dst **C.char
		s   string
	}{{&ce.runtime_dir, e.runtimeDir}, {&ce.xdg, e.xdg}, {&ce.tmpdir, e.tmpdir}} {
		*v.dst = C.CString(v.s)
		defer C.free(unsafe.Pointer(*v.dst))
	}
	// C memory: cgo does not let C keep pointers to Go pointers.
	argv := (**C.char)(C.malloc(C.size_t(len(cargs)) * C.size_t(unsafe.Sizeof(cargs[0]))))
	defer C.free(unsafe.Pointer(argv))
	copy(unsafe.Slice(argv, len(cargs)), cargs)
	var prof *C.char
	sock := make([]byte, 4096)
	if C.tt_parse(C.int(len(args)), argv, &ce, &prof, (*C.char)(unsafe.Pointer(&sock[0])), C.size_t(len(sock))) == 0 {
		return "", "", false
	}
	return C.GoString(prof), C.GoString((*C.char)(unsafe.Pointer(&sock[0]))), true
}

func complete(answer []byte) bool {
	return C.tt_complete(cbytes(answer), C.size_t(len(answer))) != 0
}

func token(answer []byte) ([]byte, bool) {
	var off, n C.size_t
	if C.tt_token(cbytes(answer), C.size_t(len(answer)), &off, &n) == 0 {
		return nil, false
	}
	return answer[off : off+n], true
}

// cbytes points C at b (C reads it during the call only); at an empty
// buffer, at one byte of its own.
func cbytes(b []byte) *C.char {
	if len(b) == 0 {
		b = []byte{0}
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}
