package cli

import (
	"encoding/json"
	"io"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// The ExecCredential versions kubectl speaks; v1 unless kubectl asks for
// another one in KUBERNETES_EXEC_INFO.
const (
	execCredentialV1      = "client.authentication.k8s.io/v1"
	execCredentialV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// execCredential is a Kubernetes ExecCredential: what a kubectl exec
// credential plugin prints (k8s.io/client-go/pkg/apis/clientauthentication).
type execCredential struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	Token               string `json:"token"`
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"`
}

// writeExecCredential prints t as an ExecCredential. kubectl caches it
// until expirationTimestamp, then runs tokentray again. execInfo is
// KUBERNETES_EXEC_INFO, whose apiVersion the answer must carry.
func writeExecCredential(w io.Writer, t apiclient.TokenResponse, execInfo string) error {
	version := execCredentialV1
	var info struct {
		APIVersion string `json:"apiVersion"`
	}
	if json.Unmarshal([]byte(execInfo), &info) == nil && info.APIVersion == execCredentialV1beta1 {
		version = execCredentialV1beta1
	}
	ec := execCredential{APIVersion: version, Kind: "ExecCredential", Status: execCredentialStatus{Token: t.AccessToken}}
	if !t.ExpiresAt.IsZero() {
		ec.Status.ExpirationTimestamp = t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ec)
}
