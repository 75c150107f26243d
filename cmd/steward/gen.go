package main

import (
	"context"
	"errors"
)

// runGen is not built yet; its owner replaces this file.
func runGen(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward gen: not built yet")
}
