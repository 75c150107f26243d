package main

import (
	"context"
	"encoding/json"

	"github.com/steward-crm/steward"
)

// cliActor names the person at the command line in the audit trail:
// "cli:" and the operating system's user ($USER), or "cli" alone.
func cliActor(env *Env) string {
	if u := env.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// audit adds an entry to the audit log for a command that changed
// something; detail, when not nil, is stored as JSON.
func audit(ctx context.Context, env *Env, s steward.AuditStore, action, target string, detail any) error {
	e := &steward.AuditEntry{Actor: cliActor(env), Action: action, Target: target}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		e.Detail = b
	}
	return s.Audit(ctx, e)
}
