package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdExport is not built yet.
func cmdExport(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi export is not built yet")
}
