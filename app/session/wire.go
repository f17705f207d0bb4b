package session

import "github.com/tokentray/tokentray/app/apiclient"

// The status a session reports is the API's wire type, defined once in
// apiclient (which links no session, so the windows and the CLI need not
// link this package). These names keep the session's own code short.
type (
	State        = apiclient.State
	Status       = apiclient.Status
	LogoutResult = apiclient.LogoutResult
	DeviceCode   = apiclient.DeviceCode
)

// The states (apiclient's).
const (
	LoggedOut     = apiclient.LoggedOut
	Valid         = apiclient.Valid
	Refreshing    = apiclient.Refreshing
	Expired       = apiclient.Expired
	LoginRequired = apiclient.LoginRequired
	Unavailable   = apiclient.Unavailable
)

// RefreshWarnWithin is apiclient.RefreshWarnWithin: the status shows what
// the log warns about.
const RefreshWarnWithin = apiclient.RefreshWarnWithin
