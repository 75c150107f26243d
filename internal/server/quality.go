package server

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
)

// reportSnapshots is how many snapshots, the latest, the quality report's
// trend covers.
const reportSnapshots = 60

// report builds the quality report of the latest snapshots, filtered by
// the request's source and field, with the thresholds the latest crosses.
func (s *Server) report(r *http.Request) (*quality.Report, error) {
	q := &query{r: r}
	since := q.time("since")
	source, field := q.str("source"), q.str("field")
	if q.err != nil {
		return nil, q.err
	}
	snaps, err := s.st.Snapshots(r.Context(), since, reportSnapshots)
	if err != nil {
		return nil, err
	}
	return quality.NewReport(snaps, source, field, s.cfg.Thresholds), nil
}

// getQuality answers GET /api/v1/quality: the data-quality report, the
// latest snapshot against the one before and the trend (source, field and
// since filter it), with the thresholds crossed.
func (s *Server) getQuality(r *http.Request, c *call) (*response, error) {
	rep, err := s.report(r)
	if err != nil {
		return nil, err
	}
	return &response{body: rep}, nil
}

// registerQuality adds the page /quality: the report live, every count a
// link to the customers behind it (the customer search by metric), the
// worst fields and sources, and the jobs running now. It reloads itself
// every minute.
func (s *Server) registerQuality() {
	rt := route{method: "GET", pattern: "/quality", role: steward.RoleViewer, handle: s.qualityPage}
	s.mux.Handle("GET /quality", s.serve(rt))
}

func (s *Server) qualityPage(r *http.Request, c *call) (*response, error) {
	rep, err := s.report(r)
	if err != nil {
		return nil, err
	}
	running, err := s.st.JobRuns(r.Context(), steward.JobRunFilter{Limit: 20})
	if err != nil {
		return nil, err
	}
	opts := quality.PageOptions{Refresh: 60, Required: s.cfg.Quality.Required, Link: func(k steward.MetricKey, passing bool) string {
		v := url.Values{"metric": {quality.MetricName(k)}}
		if k.Source != "" {
			v.Set("source", k.Source)
		}
		if passing {
			v.Set("passing", "true")
		}
		return "/api/v1/customers?" + v.Encode()
	}}
	for _, run := range running {
		if run.Status == steward.JobRunning {
			opts.Running = append(opts.Running, run)
		}
	}
	var b bytes.Buffer
	if err := rep.WritePage(&b, opts); err != nil {
		return nil, err
	}
	return &response{page: b.Bytes()}, nil
}
