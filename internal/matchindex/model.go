package matchindex

import (
	"bytes"
	_ "embed"

	"github.com/steward-crm/steward/dedupe"
)

// defaultModelJSON is a Fellegi-Sunter model trained by dedupe on 20,000
// synthetic customers (internal/gen, mixed Persian and Latin locale, seed
// 1); TestDefaultModel -update regenerates it.
//
//go:embed model.json
var defaultModelJSON []byte

// DefaultModel returns a new copy of the model built into steward, which
// scores duplicates while the database has no model of its own (one
// trained on the customers themselves is better, once there is one). The
// embedded model is checked by the tests, so a failure to read it is a
// build defect and panics.
func DefaultModel() *dedupe.Model {
	m, err := dedupe.ReadModel(bytes.NewReader(defaultModelJSON))
	if err != nil {
		panic("matchindex: embedded model: " + err.Error())
	}
	return m
}
