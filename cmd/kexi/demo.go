package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdDemo is not built yet.
func cmdDemo(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi demo is not built yet")
}
