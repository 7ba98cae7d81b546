package main

import (
	"context"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/postgres"
)

func init() {
	openPostgres = func(ctx context.Context, dsn string, key []byte) (kexi.Store, error) {
		return postgres.Open(ctx, dsn, postgres.Options{Key: key})
	}
}
