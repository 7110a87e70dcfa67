package version

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStampedVersionWins(t *testing.T) {
	assert.Equal(t, "v1.2.3", String("v1.2.3"))
}

func TestUnstampedTestBinaryIsDevel(t *testing.T) {
	// A test binary's build info carries no module version.
	assert.Equal(t, "devel", String(""))
}
