package main

import (
	"context"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/jobs"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/rules"
)

// registerSuppressJob adds the suppress job to reg: it ingests the rules'
// suppression.inbox (aside_dir, own_mta_ids) and imports the exports of
// suppression.esp_dir into the database store returns, with the keys of
// the database dsn; DKIM and DMARC ask dnsServer (or the rules', or the
// system's), or nothing when offline.
func registerSuppressJob(reg *jobs.Registry, env *Env, store func() steward.Store, r *rules.Rules, dsn string, offline bool, dnsServer string) {
	reg.Register(steward.JobSuppress, func(ctx context.Context) (jobs.Job, error) {
		log := envLogger(env)
		s := r.Suppression
		j := &jobs.Suppress{Inbox: s.Inbox, ESPDir: s.ESPDir, Logger: log}
		bar := progress.New(steward.JobSuppress, 0, env.Stderr, env.Terminal, log)
		if s.Inbox == "" && s.ESPDir == "" {
			return withBar(j, bar), nil // nothing to read: no keys needed
		}
		keys, err := suppressionKeys(env, dsn)
		if err != nil {
			return nil, err
		}
		resolver, err := mailResolver(r, offline, dnsServer)
		if err != nil {
			return nil, err
		}
		mode, err := fileMode(env)
		if err != nil {
			return nil, err
		}
		in := mailIngester(store(), r, keys, resolver, "job:suppress")
		in.Logger = log
		if s.Inbox != "" {
			in.Aside = &suppress.AsideDir{Dir: asideFor(r, "", s.Inbox), Mode: mode}
		}
		j.Ingester, j.Applier = in, in.Applier
		return withBar(j, bar), nil
	})
}
