package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testSuppressions(t *testing.T, s steward.Store) {
	ctx := context.Background()
	sp := &steward.Suppression{Channel: steward.ChannelEmail, Address: "ann@example.org", Hash: "h1", Reason: steward.ReasonUnsubscribed,
		Source: "one-click", Evidence: "token", Actor: "ann@example.org"}
	created, err := s.Suppress(ctx, sp)
	must(t, err)
	if !created || sp.ID == 0 || sp.CreatedAt.IsZero() {
		t.Fatalf("first suppression: created %v, %+v", created, sp)
	}
	again := &steward.Suppression{Channel: steward.ChannelEmail, Address: "ann@example.org", Hash: "h1", Reason: steward.ReasonComplaint, Source: "arf"}
	created, err = s.Suppress(ctx, again)
	must(t, err)
	if created || again.ID != sp.ID || again.Reason != steward.ReasonUnsubscribed {
		t.Errorf("suppressing again: created %v, %+v; want the first one, unchanged", created, again)
	}
	_, err = s.Suppress(ctx, &steward.Suppression{Channel: steward.ChannelEmail, Hash: "h2", Scope: "newsletter", Reason: steward.ReasonUnsubscribed})
	must(t, err)
	for _, tt := range []struct {
		scope string
		want  map[string]bool
	}{
		{"", map[string]bool{"h1": true}},
		{"newsletter", map[string]bool{"h1": true, "h2": true}},
		{"offers", map[string]bool{"h1": true}},
	} {
		got, err := s.Suppressed(ctx, []string{"h1", "h2", "h3"}, tt.scope)
		must(t, err)
		if len(got) != len(tt.want) || !got["h1"] || got["h2"] != tt.want["h2"] {
			t.Errorf("Suppressed(scope %q) = %v, want %v", tt.scope, got, tt.want)
		}
	}
	must(t, s.ForgetSuppressedAddress(ctx, "h1"))
	list, err := s.Suppressions(ctx, "h1")
	must(t, err)
	if len(list) != 1 || list[0].Address != "" || list[0].Hash != "h1" {
		t.Errorf("after forgetting the address: %+v, want the suppression kept without it", list)
	}
	if _, err := s.Suppress(ctx, &steward.Suppression{Channel: "fax", Hash: "h", Reason: steward.ReasonManual}); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("a fax suppression: %v, want EINVALID", err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, want := range []int{1, 2, 2} {
		at := t0.Add(time.Duration(i) * 24 * time.Hour)
		n, err := s.RecordSoftBounce(ctx, "h9", at, "4.2.2 mailbox full", at.Add(-36*time.Hour))
		must(t, err)
		if n != want {
			t.Errorf("soft bounce %d: %d within 36 hours, want %d", i+1, n, want)
		}
	}
}
