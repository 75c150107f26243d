package server

import (
	"net/http"

	"github.com/steward-crm/steward"
)

// runSchedule answers POST /api/v1/schedules/{name}/runs: a manual run of
// the schedule's jobs, started in the server (202 with the run as it
// starts; follow it at GET /api/v1/schedules/{name}/runs). 409 when the
// schedule is already running: the request is recorded as skipped.
func (s *Server) runSchedule(r *http.Request, c *call) (*response, error) {
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	run, err := e.Start(r.Context(), name, s.now(), steward.TriggerManual)
	if err != nil {
		return nil, err
	}
	if run.Status == steward.ScheduleSkipped {
		return nil, steward.Errorf(steward.ECONFLICT, "Schedule %s is already running; this run was recorded as skipped (run %d).", name, run.ID)
	}
	c.detail = map[string]any{"schedule_run": run.ID}
	return &response{status: http.StatusAccepted, body: run}, nil
}

// pauseSchedule answers POST /api/v1/schedules/{name}/pause: its times
// pass without running, on every instance, until it is resumed.
func (s *Server) pauseSchedule(r *http.Request, c *call) (*response, error) {
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	if _, err := e.Schedule(name); err != nil {
		return nil, err
	}
	p := steward.SchedulePause{Schedule: name, PausedAt: s.now(), PausedBy: c.actorName()}
	if err := s.st.PauseSchedule(r.Context(), p); err != nil {
		return nil, err
	}
	return s.scheduleStatus(r, e, name)
}

// resumeSchedule answers POST /api/v1/schedules/{name}/resume; 404 when
// it is not paused.
func (s *Server) resumeSchedule(r *http.Request, c *call) (*response, error) {
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	if _, err := e.Schedule(name); err != nil {
		return nil, err
	}
	if err := s.st.ResumeSchedule(r.Context(), name); err != nil {
		return nil, err
	}
	return s.scheduleStatus(r, e, name)
}
