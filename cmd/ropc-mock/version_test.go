package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionFlagPrintsStampedVersionAndExits(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	version = "v9.8.7-test"
	var out, errb bytes.Buffer
	// -addr would fail to bind if run went on to serve: -version must return first.
	code := run([]string{"-version", "-addr", "256.0.0.1:1"}, &out, &errb)
	assert.Equal(t, 0, code, errb.String())
	assert.Equal(t, "ropc-mock v9.8.7-test\n", out.String())
}
