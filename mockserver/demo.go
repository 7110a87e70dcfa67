package mockserver

import (
	_ "embed"
	"encoding/json"
)

// demoJSON holds the demo credentials of DefaultConfig: the one copy that the
// mock, the Go tests (mocktest), the JavaScript tests (js/test/mock.mjs) and
// the scripts (demo_credential in scripts/lib.sh) read. Keep it one string
// field per line: the shell reader depends on it (TestDemoFileShape).
//
//go:embed demo.json
var demoJSON []byte

// Demo is the built-in demo client and users.
type Demo struct {
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
	PublicClientID string `json:"public_client_id"`
	Username       string `json:"username"`
	Password       string `json:"password"`
	SecondUsername string `json:"second_username"`
	SecondPassword string `json:"second_password"`
}

// DemoCredentials returns the demo credentials of DefaultConfig (mockserver/demo.json).
func DemoCredentials() Demo {
	var d Demo
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		panic("mockserver: demo.json: " + err.Error()) // embedded at build time; TestDemoFileShape checks it
	}
	return d
}
