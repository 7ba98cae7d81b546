package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdImport is not built yet.
func cmdImport(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi import is not built yet")
}
