package main

import (
	"context"
	"errors"
)

// runCheckEmail is not built yet; its owner replaces this file.
func runCheckEmail(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward check-email: not built yet")
}
