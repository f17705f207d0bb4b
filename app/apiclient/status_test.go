package apiclient

import (
	"strings"
	"testing"
	"time"
)

func TestSummary(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   Status
		want []string
	}{
		{"valid", Status{State: Valid, ExpiresAt: now.Add(42 * time.Minute)}, []string{"valid for 42 min"}},
		{"failing while valid", Status{State: Valid, ExpiresAt: now.Add(time.Minute), Failures: 3, LastError: "HTTP 503"}, []string{"last refresh failed (3 tries): HTTP 503"}},
		{"saved nowhere", Status{State: Valid, ExpiresAt: now.Add(time.Minute), LastError: "could not save"}, []string{"warning: could not save"}},
		{"expired and failing", Status{State: Expired, Failures: 2, LastError: "dial tcp: refused"}, []string{"refresh failing (2 tries)"}},
		{"login required", Status{State: LoginRequired, Reason: "invalid_grant"}, []string{"login required: invalid_grant"}},
		{"refresh token ending", Status{State: Valid, ExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(72 * time.Hour)}, []string{"login needed in 3 days"}},
		{"refresh token far off", Status{State: Valid, ExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(300 * 24 * time.Hour)}, []string{"valid for 1 h 0 min"}},
		{"pending login", Status{State: LoggedOut, LoginPending: true}, []string{"logged out (login in progress)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.st.Summary(now)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if tt.name == "refresh token far off" && strings.Contains(got, "login needed") {
				t.Errorf("got %q, want no warning 300 days ahead", got)
			}
		})
	}
}
