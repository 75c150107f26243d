package jobs

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
)

func TestRegistry(t *testing.T) {
	var r Registry
	built := ""
	r.Register(steward.JobDedupe, func(context.Context) (Job, error) { built = "dedupe"; return &Dedupe{}, nil })
	r.Register(steward.JobStandardize, func(context.Context) (Job, error) { built = "standardize"; return &Standardize{}, nil })
	if got, want := r.Names(), []string{steward.JobStandardize, steward.JobDedupe}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v in a night's order", got, want)
	}
	j, err := r.Build(context.Background(), steward.JobDedupe)
	if err != nil || j.Name() != "dedupe" || built != "dedupe" {
		t.Fatalf("Build(dedupe) = %v, %v (built %q)", j, err, built)
	}
	tests := []struct {
		name, job, want string
	}{
		{"known to steward, not in this build", steward.JobSnapshot, "not available in this version"},
		{"unknown, close to a job", "dedup", `Unknown job "dedup" (did you mean "dedupe"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Build(context.Background(), tt.job)
			if steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), tt.want) || !strings.Contains(steward.ErrorMessage(err), "standardize, dedupe") {
				t.Errorf("Build(%s) error %v, want EINVALID saying %q and naming the jobs", tt.job, err, tt.want)
			}
		})
	}
}
