package matchindex

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// Scorer is the matching model every admission and the nightly job score
// with, and which stored model it is.
type Scorer struct {
	Model *dedupe.Model
	// Stored is the stored model it came from; nil for the model built
	// into steward.
	Stored *steward.StoredModel
}

// ID returns the stored model's id, 0 for the built-in one, as evidence
// names it.
func (s Scorer) ID() int64 {
	if s.Stored == nil {
		return 0
	}
	return s.Stored.ID
}

// CurrentModel returns the model to score with: the latest one the
// database stored (the nightly duplicate job trains it on the customers
// themselves), or, in a database that has none yet, DefaultModel (the
// cold start). A stored model that does not fit this version's
// comparisons (written by an older steward) is passed over for the
// built-in one, with the reason, until the next training replaces it.
func CurrentModel(ctx context.Context, st steward.ModelStore) (Scorer, string, error) {
	sm, err := st.LatestModel(ctx)
	if steward.ErrorCode(err) == steward.ENOTFOUND {
		return Scorer{Model: DefaultModel()}, "", nil
	}
	if err != nil {
		return Scorer{}, "", fmt.Errorf("latest matching model: %w", err)
	}
	m, err := dedupe.ReadModel(bytes.NewReader(sm.Model))
	if err != nil {
		return Scorer{Model: DefaultModel()}, fmt.Sprintf("stored model %d does not fit this version (%v); using the built-in model until the next training", sm.ID, err), nil
	}
	return Scorer{Model: m, Stored: sm}, "", nil
}

// SaveModel stores m, trained at the time given on records customers with
// labels decided pairs, as the latest model, and returns it as stored.
func SaveModel(ctx context.Context, st steward.ModelStore, m *dedupe.Model, at time.Time, records, labels int64, origin string) (*steward.StoredModel, error) {
	var buf bytes.Buffer
	if err := dedupe.WriteModel(&buf, m); err != nil {
		return nil, err
	}
	sm := &steward.StoredModel{TrainedAt: at, Records: records, Labels: labels, Origin: origin, Model: buf.Bytes()}
	if err := st.SaveModel(ctx, sm); err != nil {
		return nil, fmt.Errorf("save matching model: %w", err)
	}
	return sm, nil
}
