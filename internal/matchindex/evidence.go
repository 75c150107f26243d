package matchindex

import (
	"math"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// PairEvidence turns a scored candidate into the domain's evidence for the
// pair (a, b): probability, total weight, the model's prior, and every
// compared field's level, weight and values. Every producer of
// suggestions explains a pair through it.
func PairEvidence(a, b int64, c dedupe.Candidate, m *dedupe.Model, keys []dedupe.BlockingKey) steward.PairEvidence {
	return FieldEvidence(a, b, c.Probability, c.Weight, c.Explanation, m, keys)
}

// FieldEvidence is PairEvidence from a pair's parts: its probability,
// total log2 weight, explanation and the blocking keys under which the
// two records met (nil when unknown).
func FieldEvidence(a, b int64, probability, weight float64, fields []dedupe.FieldWeight, m *dedupe.Model, keys []dedupe.BlockingKey) steward.PairEvidence {
	pe := steward.PairEvidence{A: a, B: b, Probability: probability, Weight: weight, Fields: make([]steward.FieldEvidence, len(fields))}
	if m != nil && m.Lambda > 0 && m.Lambda < 1 {
		pe.Prior = math.Log2(m.Lambda / (1 - m.Lambda))
	}
	for i, f := range fields {
		pe.Fields[i] = steward.FieldEvidence{Field: f.Field, Level: f.Level, Weight: f.Weight, A: f.A, B: f.B}
	}
	for _, k := range keys {
		pe.Keys = append(pe.Keys, string(k))
	}
	return pe
}
