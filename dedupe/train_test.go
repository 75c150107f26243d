package dedupe

import (
	"context"
	"testing"
)

// TestTrainConverges: with the default settings expectation-maximisation
// converges on the labelled sets; stopped early, the model says so and
// names the sessions that did not.
func TestTrainConverges(t *testing.T) {
	tests := []struct {
		name      string
		load      func(testing.TB, string) labelled
		path      string
		maxIter   int
		converged bool
	}{
		{"febrl2", loadFEBRL, "../testdata/er/febrl2.csv", DefaultConfig().MaxIterations, true},
		{"splink", loadSplink, "../testdata/er/splink_fake_1000.csv", DefaultConfig().MaxIterations, true},
		{"splink stopped early", loadSplink, "../testdata/er/splink_fake_1000.csv", 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxIterations = tt.maxIter
			ix, err := NewIndex(context.Background(), tt.load(t, tt.path).records, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ix.Train(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			tr := m.Training
			if tr.Converged != tt.converged || tr.Converged != (len(tr.Unconverged) == 0) {
				t.Errorf("converged %v after %d iterations (unconverged %v), want %v", tr.Converged, tr.Iterations, tr.Unconverged, tt.converged)
			}
			if !tt.converged && tr.Iterations != tt.maxIter {
				t.Errorf("stopped after %d iterations, want %d", tr.Iterations, tt.maxIter)
			}
		})
	}
}
