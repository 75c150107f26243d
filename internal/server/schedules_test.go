package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
)

// testEngine is a schedules engine with one schedule, nightly, whose
// jobs do nothing but say they ran; its runs end before the test does.
func testEngine(t testing.TB, st steward.Store) *schedule.Engine {
	spec, err := cron.ParseStandard("0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	e := &schedule.Engine{
		Store:     st,
		Schedules: []schedule.Schedule{{Name: "nightly", Cron: "0 2 * * *", Spec: spec, Jobs: []string{"dedupe"}, CatchUp: time.Hour}},
		Run: func(ctx context.Context, s schedule.Schedule, done func(steward.ScheduleJob)) error {
			done(steward.ScheduleJob{Job: "dedupe", Status: steward.JobSucceeded, Counts: map[string]int64{"pairs": 3}})
			return nil
		},
		Instance: "test:1",
		Context:  context.Background(),
	}
	t.Cleanup(e.Wait)
	return e
}

func TestSchedules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		var list struct{ Schedules []schedule.Status }
		a.want(a.do("admin", "GET", "/api/v1/schedules", nil), 200).decode(t, &list)
		if len(list.Schedules) != 1 || list.Schedules[0].Name != "nightly" || list.Schedules[0].Next.IsZero() || list.Schedules[0].LastRun != nil {
			t.Fatalf("schedules = %+v", list.Schedules)
		}
		a.want(a.do("steward", "GET", "/api/v1/schedules", nil), 403)

		var run steward.ScheduleRun
		a.want(a.do("admin", "POST", "/api/v1/schedules/nightly/runs", nil), 202).decode(t, &run)
		if run.ID == 0 || run.Trigger != steward.TriggerManual || run.Status != steward.ScheduleRunning {
			t.Errorf("started run = %+v", run)
		}
		deadline := time.Now().Add(5 * time.Second)
		var page struct{ Items []steward.ScheduleRun }
		for time.Now().Before(deadline) {
			a.want(a.do("admin", "GET", "/api/v1/schedules/nightly/runs", nil), 200).decode(t, &page)
			if len(page.Items) == 1 && page.Items[0].Status == steward.ScheduleSucceeded {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(page.Items) != 1 || page.Items[0].Status != steward.ScheduleSucceeded || page.Items[0].Jobs[0].Counts["pairs"] != 3 {
			t.Fatalf("runs = %+v", page.Items)
		}

		var st1 schedule.Status
		a.want(a.do("admin", "POST", "/api/v1/schedules/nightly/pause", nil), 200).decode(t, &st1)
		if st1.Paused == nil || st1.Paused.PausedBy != "admin1" {
			t.Errorf("paused = %+v", st1)
		}
		var st2 schedule.Status
		a.want(a.do("admin", "POST", "/api/v1/schedules/nightly/resume", nil), 200).decode(t, &st2)
		if st2.Paused != nil || st2.Name != "nightly" {
			t.Errorf("resumed = %+v", st2)
		}
		a.want(a.do("admin", "POST", "/api/v1/schedules/nightly/resume", nil), 404)
		a.want(a.do("admin", "POST", "/api/v1/schedules/weekly/runs", nil), 404)
		a.want(a.do("admin", "GET", "/api/v1/schedules/weekly/runs", nil), 404)
	})
}
