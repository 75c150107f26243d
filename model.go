package steward

import (
	"context"
	"encoding/json"
	"time"
)

// StoredModel is a matching model as the database keeps it: the
// Fellegi-Sunter model the nightly duplicate job trained (package dedupe's
// Model, as JSON), with when and from how much data. The import gate, the
// API and the next nightly run score with the latest one, so that a pair
// is judged alike wherever it is met; a database without one uses the
// model built into steward (the cold start).
type StoredModel struct {
	ID int64 `json:"id"`
	// TrainedAt is when training finished.
	TrainedAt time.Time `json:"trained_at"`
	// Records counts the customers it was trained on; Labels the pairs
	// stewards had decided.
	Records int64 `json:"records"`
	Labels  int64 `json:"labels"`
	// Origin names what trained it ("run 12", "cli").
	Origin string `json:"origin,omitempty"`
	// Model is package dedupe's Model as written by dedupe.WriteModel.
	Model json.RawMessage `json:"model"`
	// CreatedAt is when the store saved it.
	CreatedAt time.Time `json:"created_at"`
}

// ModelStore keeps the matching models stewards' data trained.
//
// Every model saved is kept: none is pruned yet. When pruning comes, it
// keeps at least the last 10, so that a new model can be compared with
// the ones before it and a bad one rolled back.
type ModelStore interface {
	// SaveModel stores m as the latest model, and sets m.ID, m.CreatedAt,
	// and m.TrainedAt to the UTC microsecond that is stored (EINVALID
	// when m.Model is not JSON, TrainedAt is zero or a count negative; see
	// Normalize).
	SaveModel(ctx context.Context, m *StoredModel) error
	// LatestModel returns the model saved last, or ENOTFOUND when none was.
	LatestModel(ctx context.Context) (*StoredModel, error)
}

// Normalize puts m.TrainedAt in UTC, to the microsecond that stores keep,
// and checks what every store refuses: a model that is not JSON, no
// training time, a negative count. Stores call it so that every backend
// refuses the same things.
func (m *StoredModel) Normalize() error {
	if !json.Valid(m.Model) {
		return Errorf(EINVALID, "A stored matching model must be JSON.")
	}
	if m.TrainedAt.IsZero() {
		return Errorf(EINVALID, "A stored matching model needs the time it was trained.")
	}
	if m.Records < 0 || m.Labels < 0 {
		return Errorf(EINVALID, "A matching model is trained on a number of records and labels, not %d and %d.", m.Records, m.Labels)
	}
	m.TrainedAt = m.TrainedAt.UTC().Truncate(time.Microsecond)
	return nil
}
