package keychain

import (
	"errors"
	"fmt"
)

// ErrUnavailable reports that there is no keychain to talk to. Test with errors.Is.
var ErrUnavailable = errors.New("no OS keychain available")

// UnavailableError is ErrUnavailable with the backend's reason.
type UnavailableError struct {
	Backend string // e.g. "Secret Service (D-Bus org.freedesktop.secrets)"
	Err     error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("no OS keychain available: the %s cannot be reached: %v", e.Backend, e.Err)
}

func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// CorruptError is a saved record that cannot be reassembled or verified: a chunk is missing, or
// the pieces do not add up to the length and SHA-256 the head item names. The record is not used.
type CorruptError struct {
	Name   string
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("keychain entry %q is damaged: %s; sign in again to replace it", e.Name, e.Reason)
}

// WriteError is a write the keychain reported as done but did not keep: reading the item back
// gave something else. Nothing half-written is left as the record.
type WriteError struct {
	Item   string
	Wrote  int // bytes written
	Read   int // bytes read back
	Reason string
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("keychain did not keep item %q: wrote %d bytes, read back %d (%s)", e.Item, e.Wrote, e.Read, e.Reason)
}
