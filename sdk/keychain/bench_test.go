package keychain

import (
	"context"
	"testing"
)

// BenchmarkSecretService prints what a save (writes and read-backs) and a load cost against the
// real Secret Service of TestMain, for a 6.5 KB record in one item and in Windows-sized chunks.
func BenchmarkSecretService(b *testing.B) {
	ctx := context.Background()
	rec := bigRecord(6500)
	for _, bc := range []struct {
		name  string
		limit int
	}{{"one-item", itemLimit("linux")}, {"windows-chunks", itemLimit("windows")}} {
		s, err := Open(WithService("ropc-bench"), WithLockDir(b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		s.limit = bc.limit
		b.Run(bc.name+"/save", func(b *testing.B) {
			for b.Loop() {
				if err := s.Save(ctx, "bench", rec); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/load", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Load(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
		if err := s.Delete(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
