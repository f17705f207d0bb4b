package config

import (
	"strings"
	"testing"
	"time"
)

func TestMinValid(t *testing.T) {
	const base = "[[profile]]\nname = \"work\"\nissuer = \"https://id.example.com\"\nclient_id = \"c\"\nscopes = [\"openid\"]\n"
	tests := []struct {
		line    string
		want    time.Duration
		wantErr string
	}{
		{"", 0, ""},
		{`min_valid = "90s"`, 90 * time.Second, ""},
		{`min_valid = "-1s"`, 0, "min_valid"},
		{`min_valid = "48h"`, 0, "min_valid"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			c, err := Parse("config.toml", []byte(base+tt.line+"\n"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Profiles[0].MinValid.Duration; got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
