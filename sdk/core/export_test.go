package core

// Unexported helpers the external tests (package core_test) check directly.
var (
	BasicAuthorization = basicAuthorization
	JoinScopes         = joinScopes
)
