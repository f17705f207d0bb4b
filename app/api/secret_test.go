package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/app/apiclient"
)

// TestSecretRoutesRefuseEmptyAndLongValues: both secret routes refuse an
// empty or over-long value before any profile or store is asked, naming
// the value and its bound.
func TestSecretRoutesRefuseEmptyAndLongValues(t *testing.T) {
	s := &Server{}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		body    string
		want    string
	}{
		{"empty secret", s.setSecret, `{"secret":" \n"}`, "the secret is empty"},
		{"long secret", s.setSecret, `{"secret":"` + strings.Repeat("s", maxSecret+1) + `"}`, "the secret is longer than 2 KiB"},
		{"empty key", s.setPrivateKey, `{}`, "the private key is empty"},
		{"long key", s.setPrivateKey, `{"private_key":"` + strings.Repeat("k", maxPrivateKey+1) + `"}`, "the private key is longer than 16 KiB"},
		{"a secret's field for a key", s.setPrivateKey, `{"secret":"x"}`, "the request body is not the expected JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.handler(rec, httptest.NewRequest("POST", "/v1/secret/work", strings.NewReader(tt.body)))
			var e apiclient.ErrorResponse
			json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != http.StatusBadRequest || e.Error != apiclient.CodeBadRequest || e.Message != tt.want {
				t.Errorf("got HTTP %d %s %q, want 400 %s %q", rec.Code, e.Error, e.Message, apiclient.CodeBadRequest, tt.want)
			}
		})
	}
}
