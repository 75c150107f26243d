package main

import (
	"context"
	"errors"
)

// runExport is not built yet; its owner replaces this file.
func runExport(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward export: not built yet")
}
