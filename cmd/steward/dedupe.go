package main

import (
	"context"
	"errors"
)

// runDedupe is not built yet; its owner replaces this file.
func runDedupe(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward dedupe: not built yet")
}
