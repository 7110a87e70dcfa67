//go:build js && wasm

package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/syumai/workers/cloudflare/d1"

	"github.com/ropcgo/ropc/mockserver"
	"github.com/ropcgo/ropc/mockserver/conformance"
	"github.com/ropcgo/ropc/mockserver/sqlstore"
)

// TestD1StoreConformance runs mockserver's shared Store contract suite on
// Cloudflare D1 itself, through the driver the Workers build uses. It runs
// inside workerd: scripts/test-worker.sh builds this test binary to
// js/wasm and serves it with mockserver/worker/storetest/entry.mjs, whose
// env carries the D1 binding "DB".
func TestD1StoreConformance(t *testing.T) {
	ctx := context.Background()
	connector, err := d1.OpenConnector("DB")
	require.NoError(t, err, "D1 binding DB")
	db := sql.OpenDB(connector)
	require.NoError(t, sqlstore.Migrate(ctx, db))
	conformance.RunStore(t, func(t *testing.T) mockserver.Store {
		s := sqlstore.NewSweeping(db)
		require.NoError(t, s.Clear(ctx), "start from an empty database")
		return s
	})
}
