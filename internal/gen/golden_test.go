package gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the output for one seed, so a change to what is generated
// is seen in review; refresh with -update when it is meant.
func TestGolden(t *testing.T) {
	out, truth := generate(t, Options{N: 200, Seed: 1, DupRate: DefaultDupRate})
	for _, f := range []struct {
		name string
		got  []byte
	}{{"mixed-200.csv", out}, {"mixed-200.truth.csv", truth}} {
		path := filepath.Join("testdata", f.name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(f.got, want) {
			t.Errorf("%s differs from the generator's output; run go test -update if the change is meant", path)
		}
	}
}
