package main

import (
	"context"
	"errors"
)

// runValidate is not built yet; its owner replaces this file.
func runValidate(ctx context.Context, env *Env, args []string) error {
	return errors.New("steward validate: not built yet")
}
