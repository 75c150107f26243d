package main

import (
	"context"
	"errors"
)

// runJob is not built yet; its owner replaces this file.
func runJob(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward run: not built yet")
}
