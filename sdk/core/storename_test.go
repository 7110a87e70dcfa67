package core

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckStoreName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"work", true}, {"a", true}, {"Work.prod_2-b", true}, {strings.Repeat("a", 64), true},
		{"", false}, {strings.Repeat("a", 65), false}, {".hidden", false}, {"-x", false}, {"a/b", false},
		{`a\b`, false}, {"..", false}, {"a b", false}, {"a#1", false}, {"é", false},
	} {
		err := CheckStoreName(tc.name)
		if tc.ok {
			assert.NoError(t, err, tc.name)
		} else {
			var pe *ParamError
			assert.ErrorAs(t, err, &pe, tc.name)
		}
	}
}
