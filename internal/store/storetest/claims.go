package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// testClaims: a steward claims suggestions; another cannot take a live
// claim, can take an expired one; claims are read by suggestion and
// released by user.
func testClaims(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := fresh(t, s, 4)
	a := &steward.Suggestion{CustomerIDs: []int64{ids[0], ids[1]}, Probability: 0.8}
	b := &steward.Suggestion{CustomerIDs: []int64{ids[2], ids[3]}, Probability: 0.7}
	must(t, s.UpsertSuggestion(ctx, a))
	must(t, s.UpsertSuggestion(ctx, b))
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	claim := func(id int64, user string, at time.Time, want bool) {
		t.Helper()
		got, err := s.ClaimSuggestion(ctx, id, user, at, at.Add(30*time.Minute))
		must(t, err)
		if got != want {
			t.Errorf("%s claims %d at %s: %v, want %v", user, id, at.Format(time.TimeOnly), got, want)
		}
	}
	claim(a.ID, "sara", now, true)
	claim(a.ID, "reza", now.Add(time.Minute), false)
	claim(a.ID, "sara", now.Add(10*time.Minute), true) // extended
	claim(b.ID, "reza", now, true)

	got, err := s.SuggestionClaims(ctx, []int64{a.ID, b.ID, 424242}, now.Add(35*time.Minute))
	must(t, err)
	if len(got) != 1 || got[a.ID].By != "sara" || !got[a.ID].At.Equal(now) || !got[a.ID].Until.Equal(now.Add(40*time.Minute)) {
		t.Errorf("claims at 9:35: %+v", got)
	}
	// Expired: another steward takes it.
	claim(a.ID, "reza", now.Add(41*time.Minute), true)
	got, err = s.SuggestionClaims(ctx, []int64{a.ID}, now.Add(42*time.Minute))
	must(t, err)
	if got[a.ID].By != "reza" || !got[a.ID].At.Equal(now.Add(41*time.Minute)) {
		t.Errorf("claim after expiry: %+v", got)
	}
	n, err := s.ReleaseClaims(ctx, "reza", now.Add(42*time.Minute))
	must(t, err)
	if n != 1 {
		t.Errorf("released %d live claims, want 1", n)
	}
	if got, _ := s.SuggestionClaims(ctx, []int64{a.ID, b.ID}, now); len(got) != 0 {
		t.Errorf("after release: %+v", got)
	}
	_, err = s.ClaimSuggestion(ctx, 424242, "sara", now, now.Add(time.Minute))
	wantCode(t, err, steward.ENOTFOUND)
	if got, err := s.SuggestionClaims(ctx, nil, now); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v %v", got, err)
	}
}
