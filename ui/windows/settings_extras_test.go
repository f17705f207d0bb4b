package windows

import (
	"maps"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/apiclient"
)

// The windows talk to the agent through *apiclient.Client.
var _ API = (*apiclient.Client)(nil)

func TestPairsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]string
		text string
	}{
		{"plain", map[string]string{"resource": "https://api.example.com", "audience": "a=b"}, "audience = a=b\nresource = https://api.example.com\n"},
		{"empty value", map[string]string{"x": ""}, "x = \n"},
		{"a name with =", map[string]string{"a=b": "1"}, "\"a=b\" = 1\n"},
		{"an empty name", map[string]string{"": "1"}, "\"\" = 1\n"},
		{"spaces at the ends", map[string]string{" n": " v "}, "\" n\" = \" v \"\n"},
		{"control characters", map[string]string{"X-A": "a\r\nb\tc"}, "X-A = \"a\\r\\nb\\tc\"\n"},
		{"a leading quote", map[string]string{"q": `"x"`}, "q = \"\\\"x\\\"\"\n"},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := formatPairs(tt.m)
			if text != tt.text {
				t.Errorf("formatPairs: got %q, want %q", text, tt.text)
			}
			back, err := parsePairs(text)
			if err != nil || !maps.Equal(back, tt.m) {
				t.Errorf("parsePairs(%q): got %q, %v, want %q", text, back, err, tt.m)
			}
		})
	}
}

func TestPairsNameTheBadLine(t *testing.T) {
	tests := []struct{ text, want string }{
		{"a = 1\n\nb", `line 3: write name = value: there is no "="`},
		{" = 1", `line 1: write name = value: there is no name before the "="`},
		{`"a = 1`, `line 1: the quoted name does not end`},
		{`"a" 1`, `line 1: write name = value: no "=" after the quoted name`},
		{`a = "1`, `line 1: a value that starts with " must be one quoted string`},
		{"a = 1\nb = 2\na = 3", `line 3: "a" is already given on line 1`},
	}
	for _, tt := range tests {
		if _, err := parsePairs(tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parsePairs(%q): got %v, want %q", tt.text, err, tt.want)
		}
	}
}
