package main

import (
	"context"

	"github.com/kexi/kexi"
)

func cmdAnalyze(ctx context.Context, env *Env, args []string) error {
	return kexi.Errorf(kexi.EINTERNAL, "kexi analyze is not built yet")
}
