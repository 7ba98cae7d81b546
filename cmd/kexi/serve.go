package main

import (
	"context"

	"github.com/kexi/kexi"
)

// cmdServe is not built yet.
func cmdServe(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi serve is not built yet")
}

// serveStore serves the dashboard and API for st on addr until ctx ends. kexi demo calls it
// after generating data.
func serveStore(ctx context.Context, env *Env, st kexi.Store, addr string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi serve is not built yet")
}
