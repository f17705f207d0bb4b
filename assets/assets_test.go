package assets

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCallbackPage(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		want   []string
	}{
		{"success", nil, 200, []string{"Signed in to <code>work</code>", "close this tab"}},
		{"failure escapes", errors.New("the provider refused: access_denied <script>"), 403, []string{"Sign-in failed", "access_denied &lt;script&gt;", "tokentray login work"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			CallbackPage(rec, "work", tt.status, tt.err)
			if rec.Code != tt.status {
				t.Errorf("status: got %d, want %d", rec.Code, tt.status)
			}
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q, want no-store", got)
			}
		})
	}
}
