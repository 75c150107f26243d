package server_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/riverjobs"
)

// TestJobsQueue: on PostgreSQL an admin sees River's jobs behind the
// schedules, a share waiting with its range and "full"; on SQLite there
// is no queue (503); other roles may not look (403).
func TestJobsQueue(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st) // with the queue of a PostgreSQL store
		pool := storePool(st)
		if pool == nil {
			a.want(a.do("admin", "GET", "/api/v1/jobs/queue", nil), 503)
			return
		}
		client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.Insert(context.Background(), riverjobs.ShareArgs{Job: "standardize", From: 1, Through: 50000, Full: true}, nil); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/v1/jobs/queue", "/api/v1/jobs/queue?open=true&limit=5"} {
			var list struct{ Jobs []riverjobs.QueuedJob }
			a.want(a.do("admin", "GET", path, nil), 200).decode(t, &list)
			if len(list.Jobs) != 1 || list.Jobs[0].Kind != "share" || list.Jobs[0].Share != "standardize#1-50000" ||
				!list.Jobs[0].Full || list.Jobs[0].State != "available" {
				t.Errorf("%s: %+v", path, list.Jobs)
			}
		}
		a.want(a.do("admin", "GET", "/api/v1/jobs/queue?open=yes", nil), 400)
		a.want(a.do("steward", "GET", "/api/v1/jobs/queue", nil), 403)
	})
}
