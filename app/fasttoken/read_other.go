//go:build !linux

package fasttoken

// Read is Linux only for now; elsewhere the full CLI reads every token.
func Read(Request) ([]byte, bool) { return nil, false }
