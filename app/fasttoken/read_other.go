//go:build !unix

package fasttoken

// Read needs a unix socket client; on Windows the full CLI reads every token.
func Read(Request) ([]byte, bool) { return nil, false }
