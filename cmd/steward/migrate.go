package main

import (
	"context"
	"errors"
)

// runMigrate is not built yet; its owner replaces this file.
func runMigrate(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward migrate: not built yet")
}
