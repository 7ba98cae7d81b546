package main

import (
	"context"

	"github.com/kexi/kexi"
)

// openStore opens the embedded database at path (creating it), applying migrations.
func openStore(ctx context.Context, env *Env, path string) (kexi.Store, error) {
	return nil, kexi.Errorf(kexi.EINTERNAL, "the store is not built yet")
}
