package rules

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(DefaultFile())
	f.Add([]byte("schedules: {x: {cron: \"@every 0s\", jobs: [dedupe]}}"))
	f.Add([]byte("fields: {city: {validate: \"max=3|min=1,omitempty\"}}"))
	f.Add([]byte("a: &a [*a]\nrequire: *a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data, "fuzz.yaml")
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v is not a non-empty Problems", err)
			}
			for _, p := range ps {
				if p.File != "fuzz.yaml" || p.Message == "" || p.Line < 0 {
					t.Fatalf("bad problem %+v", p)
				}
			}
			return
		}
		m := r.Matching
		if !(m.ReviewThreshold > 0 && m.ReviewThreshold <= m.AutoMerge.Threshold && m.AutoMerge.Threshold < 1) {
			t.Fatalf("accepted thresholds %v %v", m.ReviewThreshold, m.AutoMerge.Threshold)
		}
		for name, s := range r.Schedules {
			if s.Spec == nil || len(s.Jobs) == 0 {
				t.Fatalf("schedule %s accepted without spec or jobs", name)
			}
		}
	})
}
