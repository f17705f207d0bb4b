package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestHeaderIsFresh fails when a fact changed in Go and the C header was
// not made again.
func TestHeaderIsFresh(t *testing.T) {
	got, err := os.ReadFile(filepath.Join("..", file))
	if err != nil {
		t.Fatal(err)
	}
	if want := header(); !bytes.Equal(got, want) {
		t.Errorf("internal/early/%s is stale: run go generate ./internal/early\ngot:\n%s\nwant:\n%s", file, got, want)
	}
}
