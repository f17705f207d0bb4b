package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPublishReplacesOnlyTheResults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	before := "# Benchmarks\n\nmethod\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nafter\n"
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := publish(path, []byte("new table\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# Benchmarks\n\nmethod\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\nafter\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	os.WriteFile(path, []byte("no markers"), 0o644)
	if err := publish(path, []byte("x")); err == nil {
		t.Error("a file without markers: got no error, want one")
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{dur(1500 * time.Microsecond), "1.50 ms"},
		{dur(87 * time.Microsecond), "87.0 µs"},
		{dur(250 * time.Millisecond), "250 ms"},
		{dur(2 * time.Second), "2.00 s"},
		{rate(41234), "41.2k/s"},
		{rate(42), "42.0/s"},
		{mb(13_200_000), "13.2 MB"},
		{pct(0.00017), "0.017 %"},
		{ratio(3, 2), "1.50×"},
		{times(0.7981), "0.798×"},
		{times(12.04), "12.0×"},
		{ratio(1, 0), "—"},
		{plural(1, "profile"), "1 profile"},
		{plural(20, "profile"), "20 profiles"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median: got %v, want 2", got)
	}
}
