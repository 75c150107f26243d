package server

import (
	"net/http"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/schedule"
)

// engine returns the schedules' engine, or EUNAVAILABLE when this server
// was made without one.
func (s *Server) engine() (*schedule.Engine, error) {
	if s.cfg.Schedules == nil {
		return nil, steward.Errorf(steward.EUNAVAILABLE, "This server does not run schedules; use 'steward jobs' on the command line.")
	}
	return s.cfg.Schedules, nil
}

// listSchedules answers GET /api/v1/schedules: every schedule of the
// rules file with its next time, last run, pause and whether it is
// overdue.
func (s *Server) listSchedules(r *http.Request, c *call) (*response, error) {
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	list, err := schedule.Statuses(r.Context(), s.st, e.Schedules, s.now())
	if err != nil {
		return nil, err
	}
	return &response{body: map[string]any{"schedules": list}}, nil
}

// scheduleStatus answers with the status of the schedule name.
func (s *Server) scheduleStatus(r *http.Request, e *schedule.Engine, name string) (*response, error) {
	sc, err := e.Schedule(name)
	if err != nil {
		return nil, err
	}
	list, err := schedule.Statuses(r.Context(), s.st, []schedule.Schedule{sc}, s.now())
	if err != nil {
		return nil, err
	}
	return &response{body: list[0]}, nil
}
