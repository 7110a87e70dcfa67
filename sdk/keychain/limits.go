package keychain

// itemLimit is the largest record chunk this package puts in one keychain item on goos, in bytes.
func itemLimit(goos string) int {
	switch goos {
	case "windows":
		// CRED_MAX_CREDENTIAL_BLOB_SIZE is 5*512 bytes; go-keyring refuses anything larger.
		return 2560
	case "darwin":
		// go-keyring writes "add-generic-password -U -s SERVICE -a ACCOUNT -w 'go-keyring-base64:…'"
		// to `security -i`, which reads lines of at most 4,096 bytes: go-keyring refuses longer
		// commands, and one of exactly 4,096 bytes is cut and yet reported as saved (go-keyring
		// #153). 2,048 bytes become 2,732 in base64, leaving room for the service and account.
		return 2048
	default:
		// The Secret Service has no documented limit, but large items are slow to search and
		// transfer; records are a few KB, so this rarely splits.
		return 64 << 10
	}
}
