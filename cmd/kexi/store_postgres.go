package main

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/postgres"
)

func init() {
	checkPostgresURL = func(dsn string) error {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return kexi.Errorf(kexi.EINVALID, "bad PostgreSQL URL: %v", err)
		}
		return nil
	}
	openPostgres = func(ctx context.Context, dsn string, key []byte, conns int) (kexi.Store, error) {
		db, err := postgres.Open(ctx, dsn, postgres.Options{Key: key, MaxConns: conns})
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) {
			// A URL that reaches no server, or a role it refuses: the user's to fix.
			return nil, kexi.Errorf(kexi.EINVALID, "cannot connect to PostgreSQL at %s: %v (check the URL, the password "+
				"and that the server runs)", redactDSN(dsn), ce.Unwrap())
		}
		if err != nil {
			return nil, err // not a nil *postgres.DB in a non-nil kexi.Store
		}
		return db, nil
	}
}
