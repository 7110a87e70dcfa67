package core

import (
	"fmt"
	"strconv"
)

// redacted describes a secret without revealing it: only whether it is set
// and its length, which is enough to debug "empty secret" mistakes.
func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted " + strconv.Itoa(len(s)) + " bytes>"
}

// formatRedacted implements fmt.Formatter for secret-holding types. Without
// it, verbs such as %d or %x would make fmt walk the struct fields and print
// the secrets; with it every verb goes through String or GoString.
func formatRedacted(f fmt.State, verb rune, str, gostr string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(gostr))
		return
	}
	_, _ = f.Write([]byte(str))
}
