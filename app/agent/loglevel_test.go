package agent

import (
	"log/slog"
	"testing"
)

// log_level was checked by the config loader and then read by nothing.
func TestSetLogLevel(t *testing.T) {
	tests := []struct {
		name string
		want slog.Level
	}{
		{"", slog.LevelInfo},
		{"debug", slog.LevelDebug},
		{"info", slog.LevelInfo},
		{"warn", slog.LevelWarn},
		{"error", slog.LevelError},
	}
	for _, tt := range tests {
		v := new(slog.LevelVar)
		v.Set(slog.LevelError + 4) // anything else
		setLogLevel(v, tt.name)
		if got := v.Level(); got != tt.want {
			t.Errorf("log_level %q: got %v, want %v", tt.name, got, tt.want)
		}
	}
	setLogLevel(nil, "debug") // --debug: nothing to set, no panic
}
