package main

import (
	"context"
	"errors"
)

// runImport is not built yet; its owner replaces this file.
func runImport(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward import: not built yet")
}
