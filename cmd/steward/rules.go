package main

import (
	"context"
	"errors"
)

// runRules is not built yet; its owner replaces this file.
func runRules(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward rules: not built yet")
}
