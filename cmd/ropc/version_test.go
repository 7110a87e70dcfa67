package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionFlagPrintsStampedVersion(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	version = "v1.2.3-test"
	for _, arg := range []string{"--version", "-version", "version"} {
		r := ropc(t, "", nil, arg)
		assert.Equal(t, exitOK, r.code, arg)
		assert.Equal(t, "ropc v1.2.3-test\n", r.stdout, arg)
	}
}
