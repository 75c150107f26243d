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
}

// ModelStore keeps the matching models stewards' data trained.
type ModelStore interface {
	// SaveModel stores m as the latest model and sets m.ID (EINVALID when
	// m.Model is not JSON).
	SaveModel(ctx context.Context, m *StoredModel) error
	// LatestModel returns the model saved last, or ENOTFOUND when none was.
	LatestModel(ctx context.Context) (*StoredModel, error)
}
