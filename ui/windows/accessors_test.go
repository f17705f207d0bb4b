package windows

// What the windows show, read by the tests (they are not the product's).

// Code is the device login's code as shown.
func (l *Login) Code() string {
	if l.code == nil {
		return ""
	}
	return l.code.Text
}

// State is the window's message.
func (l *Login) State() string { return l.state.Text }

// URL is the login URL as shown.
func (l *Login) URL() string {
	if l.url == nil {
		return ""
	}
	return l.url.Text
}

// ExpiresText is the "Expires" row as shown.
func (w *Details) ExpiresText() string { return w.values["Expires"].Text }

// Row is a row's text as shown.
func (w *Details) Row(name string) string { return w.values[name].Text }

// ClaimsText is the claims tab as shown.
func (w *Details) ClaimsText() string { return w.claims.Text }

// Line is a profile's status line as shown.
func (s *Status) Line(profile string) string {
	if l := s.lines[profile]; l != nil {
		return l.Text
	}
	return ""
}
