package dedupe

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// Model is a Fellegi-Sunter model: for each comparison and level, m (the
// probability of the level among true matches) and u (among non-matches),
// and the prior probability Lambda that two random records match. A pair's
// match weight is log2(Lambda/(1-Lambda)) plus log2(m/u) of each of its
// levels, adjusted by term frequency; its probability is the logistic of
// that weight in base 2.
type Model struct {
	// Lambda is the prior probability that two records drawn at random
	// are the same customer.
	Lambda float64 `json:"lambda"`
	// Comparisons holds the m and u probabilities per field and level.
	Comparisons []ComparisonModel `json:"comparisons"`
	// Training describes how the model was estimated.
	Training TrainingReport `json:"training"`

	weights [numComparisons][1 << levelBits]float64
	prior   float64 // log2 prior odds
	tfIndex [numComparisons]int
	// most is the highest weight of each comparison's levels, missing
	// (0) included; for the place comparisons, with a city's term
	// frequency adjustment (personCut), it bounds what comparePlace can
	// add.
	most [numComparisons]float64
}

// ComparisonModel is one field's levels.
type ComparisonModel struct {
	Field string `json:"field"`
	// TermFrequency tells whether an agreement on a value (an exact
	// name; an equal city at a city level of the address) is weighted by
	// how common the shared value is.
	TermFrequency bool         `json:"term_frequency"`
	Levels        []LevelModel `json:"levels"`
}

// LevelModel is one comparison level's m and u probability. Level
// "missing" has none: it carries no weight.
type LevelModel struct {
	Name string  `json:"name"`
	M    float64 `json:"m"`
	U    float64 `json:"u"`
}

// TrainingReport says what a model was estimated from.
type TrainingReport struct {
	Records        int `json:"records"`
	RandomPairs    int `json:"random_pairs"`
	CandidatePairs int `json:"candidate_pairs"`
	LabelledPairs  int `json:"labelled_pairs"`
	// Iterations is the most iterations any expectation-maximisation
	// session took; Converged tells whether every session converged
	// before Config.MaxIterations, and Unconverged names those that did
	// not: a blocking key's session of m, or "lambda" for the share of
	// matches among candidates.
	Iterations     int      `json:"iterations"`
	Converged      bool     `json:"converged"`
	Unconverged    []string `json:"unconverged,omitempty"`
	CandidateShare float64  `json:"candidate_match_share"`
	// UntrainedLevels lists the levels ("field.level") a model read from
	// a file written by an earlier version lacked: they carry no weight
	// until the model is trained again.
	UntrainedLevels []string `json:"untrained_levels,omitempty"`
}

// WriteModel writes m as indented JSON.
func WriteModel(w io.Writer, m *Model) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

// ReadModel reads a model written by WriteModel and checks that it fits
// this version's comparisons.
func ReadModel(r io.Reader) (*Model, error) {
	var m Model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	m.upgrade()
	if err := m.compile(); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return &m, nil
}

// upgrade fits a model written by an earlier version to this version's
// comparisons: its levels are taken by name, and a level it lacks gets
// m = u, no weight, and is listed in Training.UntrainedLevels. Levels this
// version no longer has are dropped. Comparisons it does not know are
// left for compile to report.
func (m *Model) upgrade() {
	specs := comparisonSpecs()
	if len(m.Comparisons) != len(specs) {
		return
	}
	for c, spec := range specs {
		cm := &m.Comparisons[c]
		if cm.Field != spec.field || len(cm.Levels) == 0 {
			continue
		}
		byName := make(map[string]LevelModel, len(cm.Levels))
		for _, lv := range cm.Levels {
			byName[lv.Name] = lv
		}
		levels := make([]LevelModel, len(spec.levels))
		for l, name := range spec.levels {
			lv, ok := byName[name]
			switch {
			case l == 0:
				lv = LevelModel{Name: name}
			case !ok:
				const none = 1e-6 // m = u: no weight
				lv = LevelModel{Name: name, M: none, U: none}
				m.Training.UntrainedLevels = append(m.Training.UntrainedLevels, spec.field+"."+name)
			}
			levels[l] = lv
		}
		cm.Levels = levels
	}
}

// compile checks the model against the comparisons and caches its weights.
func (m *Model) compile() error {
	if !(m.Lambda > 0 && m.Lambda < 1) {
		return fmt.Errorf("lambda %g: want a probability in (0, 1)", m.Lambda)
	}
	specs := comparisonSpecs()
	if len(m.Comparisons) != len(specs) {
		return fmt.Errorf("%d comparisons, want %d", len(m.Comparisons), len(specs))
	}
	for c, spec := range specs {
		cm := &m.Comparisons[c]
		if cm.Field != spec.field || len(cm.Levels) != len(spec.levels) {
			return fmt.Errorf("comparison %d is %q with %d levels, want %q with %d", c, cm.Field, len(cm.Levels), spec.field, len(spec.levels))
		}
		m.tfIndex[c] = -1
		m.most[c] = 0
		if cm.TermFrequency {
			for t, tc := range tfComparisons {
				if tc == c {
					m.tfIndex[c] = t
				}
			}
		}
		for l, lv := range cm.Levels {
			if lv.Name != spec.levels[l] {
				return fmt.Errorf("%s level %d is %q, want %q", spec.field, l, lv.Name, spec.levels[l])
			}
			if l == 0 {
				m.weights[c][l] = 0
				continue
			}
			if !(lv.M > 0 && lv.M <= 1 && lv.U > 0 && lv.U <= 1) {
				return fmt.Errorf("%s level %s: m %g, u %g: want probabilities above 0", spec.field, lv.Name, lv.M, lv.U)
			}
			m.weights[c][l] = math.Log2(lv.M / lv.U)
			m.most[c] = max(m.most[c], m.weights[c][l])
		}
	}
	m.prior = math.Log2(m.Lambda / (1 - m.Lambda))
	return nil
}

// FieldWeight is one field's part of a pair's explanation.
type FieldWeight struct {
	Field string `json:"field"`
	Level string `json:"level"`
	// Weight is the field's log2 Bayes factor, term frequency included.
	Weight float64 `json:"weight"`
	// A and B are the values the comparison looked at, of the pair's
	// first and second record (for Match, the incoming record and the
	// indexed one), as match keys: normalized as the comparison saw them
	// (lower case, one script's letters, digits only for phones, birth
	// dates as YYYY-MM-DD), so a reviewer sees why two values agree.
	// Comparisons of several fields join their parts with ", " (address
	// and phone: street, postal code, city, region, country, phone).
	A string `json:"a,omitempty"`
	B string `json:"b,omitempty"`
}

// probability turns a log2 match weight into a probability.
func probability(weight float64) float64 {
	return 1 / (1 + math.Exp2(-weight))
}

// tfAdjustment returns the extra log2 weight of an agreement on a value
// held by count of total records, where u is how often two records agree
// by chance (Index.tfChance): log2(u / frequency), so a value rarer than
// average counts more and a common one less.
func tfAdjustment(u float64, count, total int32) float64 {
	if count <= 0 || total <= 0 || u <= 0 {
		return 0
	}
	freq := float64(count) / float64(total)
	return math.Log2(u / freq)
}
