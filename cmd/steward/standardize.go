package main

import (
	"context"
	"errors"
)

// runStandardize is not built yet; its owner replaces this file.
func runStandardize(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward standardize: not built yet")
}
