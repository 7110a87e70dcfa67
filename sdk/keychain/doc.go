// Package keychain keeps saved tokens (sdk.TokenStore) in the operating system's keychain through
// github.com/zalando/go-keyring: the Secret Service (GNOME Keyring, KWallet) over D-Bus on Linux
// and BSD, the login keychain on macOS, Credential Manager on Windows.
//
// Each name holds one compact record (core.MarshalSavedToken). A record larger than the
// platform's limit for one item (Windows: 2,560 bytes; macOS: about 4 KB, see limits.go) is
// split into chunks kept as items of their own and listed, with the record's length and SHA-256,
// by a head item; reading reassembles and verifies them and fails with *CorruptError rather than
// return a truncated token. Every item written is read back at once, because keychains have been
// seen to report success for a write they did not keep (go-keyring #153, macOS at 4,096 bytes).
//
// Open fails with an error wrapping ErrUnavailable when there is no keychain to talk to (a
// headless Linux machine without a Secret Service, typically). The store never falls back to
// anything else on its own: package sdk/tokenfile is the explicit alternative.
//
// Only the Secret Service backend runs in this repository's tests; the Windows and macOS
// limits are tested through the Store's keyring seam, with simulations of those platforms' rules.
package keychain
