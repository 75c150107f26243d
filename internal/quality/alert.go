package quality

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

// Threshold is a bound on one metric: the rules file's quality.thresholds.
type Threshold struct {
	// Metric is "dimension.field", or a dimension for its record-level
	// metric.
	Metric string `json:"metric"`
	// Source is the source system; "" is all customers.
	Source string `json:"source,omitempty"`
	// Bound is "share_below", "share_above" or "count_above"; Value is its
	// value (a share 0..1, or a count).
	Bound string  `json:"bound"`
	Value float64 `json:"value"`
}

// Key returns the metric the threshold bounds.
func (t Threshold) Key() steward.MetricKey {
	dim, field, _ := strings.Cut(t.Metric, ".")
	return steward.MetricKey{Dimension: dim, Field: field, Source: t.Source}
}

// Alert is a threshold a snapshot crossed.
type Alert struct {
	Threshold Threshold      `json:"threshold"`
	Metric    steward.Metric `json:"metric"`
	// Message says it in a sentence for the log and the run's warnings.
	Message string `json:"message"`
}

// Crossed returns the thresholds snap crosses. A threshold on a metric the
// snapshot does not have (a source with no customers) is not crossed.
func Crossed(snap *steward.Snapshot, thresholds []Threshold) []Alert {
	var out []Alert
	for _, th := range thresholds {
		m, ok := snap.Metric(th.Key())
		if !ok {
			continue
		}
		var crossed bool
		var bound string
		switch th.Bound {
		case "share_below":
			crossed, bound = m.Share() < th.Value, fmt.Sprintf("below %s", percent(th.Value))
		case "share_above":
			crossed, bound = m.Share() > th.Value, fmt.Sprintf("above %s", percent(th.Value))
		case "count_above":
			crossed, bound = float64(m.Numerator) > th.Value, fmt.Sprintf("above %.0f", th.Value)
		}
		if !crossed {
			continue
		}
		out = append(out, Alert{Threshold: th, Metric: m, Message: fmt.Sprintf("%s is %s (%d of %d), %s",
			Label(m.Key()), percent(m.Share()), m.Numerator, m.Denominator, bound)})
	}
	return out
}

// Label names a metric for people: "validity of email, source shop".
func Label(k steward.MetricKey) string {
	s := k.Dimension
	if k.Field != "" {
		s += " of " + strings.ReplaceAll(k.Field, "_", " ")
	}
	if k.Source != "" {
		s += ", source " + k.Source
	}
	return s
}

func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// Post sends the alerts of snap as one JSON object to the webhook url:
// {"snapshot": id, "taken_at": …, "customers": n, "alerts": [...]}. It
// gives up after 10 seconds; a status other than 2xx is an error.
func Post(ctx context.Context, client *http.Client, url string, snap *steward.Snapshot, alerts []Alert) error {
	body, err := json.Marshal(struct {
		Snapshot  int64     `json:"snapshot"`
		TakenAt   time.Time `json:"taken_at"`
		Customers int64     `json:"customers"`
		Alerts    []Alert   `json:"alerts"`
	}{snap.ID, snap.TakenAt, snap.Customers, alerts})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "steward")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: %s answered %s", req.URL.Host, resp.Status)
	}
	return nil
}
