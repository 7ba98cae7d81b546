package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdServe is not built yet.
func cmdServe(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi serve is not built yet")
}
