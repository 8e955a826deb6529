package command

// Exit codes. They are documented in the README; a change here is a
// breaking change for scripts.
const (
	// ExitOK: the command did what was asked (plan: no error; apply: every
	// call ended up ended).
	ExitOK = 0
	// ExitError: the command failed before acting, or (apply) every call it
	// tried to disconnect failed.
	ExitError = 1
	// ExitChanges: plan -detailed-exitcode found calls to disconnect.
	ExitChanges = 2
	// ExitUnformatted: fmt -check found files that need formatting.
	ExitUnformatted = 3
	// ExitPartial: apply ended some calls but others failed or were not
	// started (interrupted).
	ExitPartial = 4
	// ExitDeclined: apply's confirmation was answered with something other
	// than "yes"; nothing was disconnected.
	ExitDeclined = 5
)
