package keychain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ropcgo/ropc/sdk/core"
)

// headPrefix starts a head item that lists chunks; a record itself starts with '{'.
const headPrefix = "ropc-chunked:v1:"

// maxChunks bounds how many chunks a head may list: the largest record over the smallest limit
// with room to spare.
const maxChunks = core.MaxSavedTokenBytes/1024 + 1

// head describes a record kept in chunks: how many, its total length and SHA-256.
type head struct {
	count int
	size  int
	sum   [sha256.Size]byte
}

func headFor(b []byte, count int) head {
	return head{count: count, size: len(b), sum: sha256.Sum256(b)}
}

// String is the head item's value: "ropc-chunked:v1:COUNT:SIZE:SHA256HEX".
func (h head) String() string {
	return headPrefix + strconv.Itoa(h.count) + ":" + strconv.Itoa(h.size) + ":" + hex.EncodeToString(h.sum[:])
}

// parseHead reads a head item; chunked is false when the item is a whole record.
func parseHead(v string) (h head, chunked bool, err error) {
	if !strings.HasPrefix(v, headPrefix) {
		return head{}, false, nil
	}
	f := strings.Split(strings.TrimPrefix(v, headPrefix), ":")
	if len(f) != 3 {
		return head{}, true, errors.New("head item is malformed")
	}
	if h.count, err = strconv.Atoi(f[0]); err != nil || h.count < 1 || h.count > maxChunks {
		return head{}, true, errors.New("head item has an invalid chunk count")
	}
	if h.size, err = strconv.Atoi(f[1]); err != nil || h.size < 1 || h.size > core.MaxSavedTokenBytes {
		return head{}, true, errors.New("head item has an invalid size")
	}
	sum, err := hex.DecodeString(f[2])
	if err != nil || len(sum) != sha256.Size {
		return head{}, true, errors.New("head item has an invalid checksum")
	}
	copy(h.sum[:], sum)
	return h, true, nil
}

// join reassembles the chunks and verifies them against the head.
func (h head) join(parts []string) ([]byte, error) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n != h.size {
		return nil, fmt.Errorf("its %d chunks hold %d bytes, the head says %d", len(parts), n, h.size)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	if sha256.Sum256(b) != h.sum {
		return nil, fmt.Errorf("its %d chunks do not match the head's SHA-256", len(parts))
	}
	return b, nil
}

// split cuts b into pieces of at most limit bytes, never inside a UTF-8 sequence.
func split(b []byte, limit int) []string {
	var parts []string
	for len(b) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		parts = append(parts, string(b[:cut]))
		b = b[cut:]
	}
	return append(parts, string(b))
}

// chunkAccount names chunk i (from 1) of name; '#' cannot occur in a name, so no record's
// account collides with a chunk's.
func chunkAccount(name string, i int) string { return name + "#" + strconv.Itoa(i) }
