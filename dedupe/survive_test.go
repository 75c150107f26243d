package dedupe

import (
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func TestSurvive(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := steward.Record{Source: "crm", SourceID: "1", FirstName: "Ali", LastName: "Rezaei", Email: "ali@old.ir",
		BirthDate: "1990-01-02", Attributes: map[string]string{"email_opt_out": "true", "tier": "gold"}}
	mid := steward.Record{Source: "shop", SourceID: "7", FirstName: "Alireza", LastName: "Rezaei", Email: "ali@new.ir",
		BirthDate: "1990-02-01", Attributes: map[string]string{"email_opt_out": "false"}}
	recent := steward.Record{Source: "web", SourceID: "x", FirstName: "A.", Email: "ali@newest.ir", City: "Tehran",
		BirthDate: "1990-02-01", Attributes: map[string]string{"tier": "silver"}}
	members := []Member{
		{ID: 1, Record: &old, UpdatedAt: t0},
		{ID: 2, Record: &mid, UpdatedAt: t0.Add(time.Hour)},
		{ID: 3, Record: &recent, UpdatedAt: t0.Add(2 * time.Hour)},
	}
	policy := steward.Survivorship{
		Default: steward.FieldPolicy{Strategy: steward.MostRecent},
		Fields: map[string]steward.FieldPolicy{
			steward.FieldFirstName: {Strategy: steward.MostComplete},
			steward.FieldBirthDate: {Strategy: steward.MostFrequent},
			steward.FieldEmail:     {Strategy: steward.SourcePriority, Sources: []string{"shop", "crm"}},
		},
		Attributes: map[string]steward.FieldPolicy{"email_opt_out": {Strategy: steward.MostRestrictive}},
	}
	got, choices := Survive(members, policy)
	tests := []struct {
		field, want string
		from        int64
	}{
		{steward.FieldFirstName, "Alireza", 2},    // most complete
		{steward.FieldLastName, "Rezaei", 2},      // most recent of those that have one
		{steward.FieldEmail, "ali@new.ir", 2},     // shop ranks first
		{steward.FieldBirthDate, "1990-02-01", 3}, // two of three, the later of them
		{steward.FieldCity, "Tehran", 3},          // the only one
		{steward.FieldPhone, "", 0},               // nobody has one
		{"email_opt_out", "true", 1},              // the opt-out survives
		{"tier", "silver", 3},                     // default: most recent
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if v := got.Get(tt.field); v != tt.want {
				t.Errorf("%s = %q, want %q", tt.field, v, tt.want)
			}
			for _, c := range choices {
				if c.Field == tt.field && c.From != tt.from {
					t.Errorf("%s comes from %d, want %d", tt.field, c.From, tt.from)
				}
			}
		})
	}
	if got.Source != "crm" || got.SourceID != "1" {
		t.Errorf("source %s/%s, want the first member's", got.Source, got.SourceID)
	}
	// The plan does not depend on the members' order.
	again, _ := Survive([]Member{members[2], members[0], members[1]}, policy)
	again.Source, again.SourceID = got.Source, got.SourceID
	if d := steward.Diff(&got, &again); len(d) > 0 {
		t.Errorf("another order gives %v", d)
	}
}

func TestSurviveUnsetStrategyIsMostRecent(t *testing.T) {
	a := steward.Record{Email: "a@x.ir"}
	b := steward.Record{Email: "b@x.ir"}
	now := time.Now()
	got, _ := Survive([]Member{{ID: 1, Record: &a, UpdatedAt: now}, {ID: 2, Record: &b, UpdatedAt: now.Add(-time.Hour)}}, steward.Survivorship{})
	if got.Email != "a@x.ir" {
		t.Errorf("email %q, want the most recent member's", got.Email)
	}
}
