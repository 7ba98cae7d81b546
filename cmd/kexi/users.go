package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdUsers is not built yet.
func cmdUsers(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi users is not built yet")
}
