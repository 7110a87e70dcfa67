package core

import "fmt"

// maxStoreNameLen bounds a saved token's name: it becomes a file name and a keychain account.
const maxStoreNameLen = 64

// CheckStoreName validates the name a token is saved under: 1 to 64 of A-Z a-z 0-9 . _ -,
// starting with a letter or digit, so that it is a safe file name on every platform (no path
// separators, no "..", no hidden files) and a plain keychain account name.
func CheckStoreName(name string) error {
	if name == "" {
		return &ParamError{Key: "name", Reason: "the saved token's name is empty"}
	}
	if len(name) > maxStoreNameLen {
		return &ParamError{Key: "name", Reason: fmt.Sprintf("the saved token's name is longer than %d characters", maxStoreNameLen)}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if alnum || i > 0 && (c == '.' || c == '_' || c == '-') {
			continue
		}
		return &ParamError{Key: "name", Reason: fmt.Sprintf("the saved token's name %q may hold only letters, digits and . _ - (not first)", name)}
	}
	return nil
}
