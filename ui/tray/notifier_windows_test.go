package tray

import (
	"log/slog"
	"testing"
)

func TestTooltipNotifier(t *testing.T) {
	var got string
	n := tooltipNotifier{log: slog.New(slog.DiscardHandler), set: func(s string) { got = s }}
	if _, err := n.Notify("demo: log in again", "the provider refused the refresh token"); err != nil {
		t.Fatal(err)
	}
	if want := "tokentray: demo: log in again"; got != want {
		t.Errorf("tooltip: got %q, want %q", got, want)
	}
}
