//go:build !(cgo && linux)

package early

// Tried is false: without cgo, or off Linux, there is no C path.
func Tried() bool { return false }
