package api

import (
	"context"
	"net/http"
	"time"

	"github.com/tokentray/tokentray/app/apiclient"
)

// Clipboard puts a secret on the desktop's clipboard, marked so that
// clipboard managers keep it out of their history, and clears it after a
// delay if it is still there. The tray, which owns the agent's clipboard,
// hands one to the agent; the windows copy through it, so the secret hint
// and the clear outlive their short-lived process.
type Clipboard interface {
	// CopySecret copies text and says when it will be cleared (zero: never).
	CopySecret(text string) (clearAfter time.Duration, err error)
}

// ClipboardOwner is what a Sessions implements when it can copy to the
// desktop's clipboard; Clipboard is nil while it cannot (a headless
// `tokentray agent`, or before its tray started).
type ClipboardOwner interface {
	Clipboard() Clipboard
}

// clipboardPattern copies a profile's token to the clipboard (socket only:
// the TCP port reads tokens, it never acts on the desktop).
const clipboardPattern = "POST /v1/clipboard/{profile}"

// copyTimeout bounds the refresh an expired token needs before it can be
// copied: a copy is something the user waits for, with the menu open.
const copyTimeout = 10 * time.Second

func (s *Server) copyToClipboard(w http.ResponseWriter, r *http.Request) {
	var req apiclient.ClipboardRequest
	sess, ok := s.sessionAndBody(w, r, &req)
	if !ok {
		return
	}
	if req.What != "" && req.What != "access_token" {
		writeError(w, apiclient.CodeBadRequest, `"what" must be "access_token"`)
		return
	}
	var cb Clipboard
	if o, ok := s.Sessions.(ClipboardOwner); ok {
		cb = o.Clipboard()
	}
	if cb == nil {
		writeError(w, apiclient.CodeNoClipboard,
			"the agent runs without a desktop (tokentray agent), so it has no clipboard to copy to: read the token with `tokentray token "+sess.Name()+"`")
		return
	}
	tok, ok := sess.Fresh(0)
	if !ok {
		// Refreshes that keep failing will not give a token in the next
		// seconds either: say why at once instead of waiting.
		if st := sess.Status(); st.Failures > 0 || st.LastError != "" {
			writeError(w, apiclient.CodeRefreshFailed, "nothing copied: refreshing the token fails: "+st.LastError)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), copyTimeout)
		defer cancel()
		var err error
		if tok, err = sess.Token(ctx, 0); err != nil {
			writeSessionError(w, err)
			return
		}
	}
	after, err := cb.CopySecret(tok.AccessToken)
	if err != nil {
		writeError(w, apiclient.CodeClipboard, "nothing copied: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, apiclient.ClipboardResponse{Copied: true, ClearAfter: int64(after / time.Second)})
}
