package postgres_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/postgres"
	"github.com/kexi/kexi/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var key = bytes.Repeat([]byte{7}, 32)

// open opens a store on a new, empty database, closed when t ends.
func open(t testing.TB) *postgres.DB {
	t.Helper()
	return openAt(t, pgtest.DSN(t))
}

func openAt(t testing.TB, dsn string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, postgres.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) kexi.Store { return open(t) })
}
