package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// testInboundMail: the customers of a bounced address are found by it
// without case (active ones only, with the address as stored), and a soft
// bounce is counted once per reported message however often it is read,
// in the window asked.
func testInboundMail(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ann := sample(1)
	ann.Record.Email = "Ann.Lee@Example.org"
	create(t, s, ann)
	twin := sample(2)
	twin.Record.Email = "ann.lee@example.org"
	create(t, s, twin)
	gone := sample(3)
	gone.Record.Email = "ann.lee@example.org"
	create(t, s, gone)
	gone.Status, gone.MergedInto = steward.StatusMerged, twin.ID
	must(t, s.UpdateCustomer(ctx, gone, meta))
	create(t, s, sample(4))

	got, err := s.CustomersByEmail(ctx, "ANN.LEE@example.ORG")
	must(t, err)
	if len(got) != 2 || got[0] != (steward.EmailToCheck{CustomerID: ann.ID, Email: "Ann.Lee@Example.org"}) ||
		got[1] != (steward.EmailToCheck{CustomerID: twin.ID, Email: "ann.lee@example.org"}) {
		t.Errorf("CustomersByEmail = %+v, want Ann and her twin (active), each as stored", got)
	}
	if got, err := s.CustomersByEmail(ctx, "nobody@example.org"); err != nil || len(got) != 0 {
		t.Errorf("CustomersByEmail(nobody) = %v, %v; want none", got, err)
	}
	if got, err := s.CustomersByEmail(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("CustomersByEmail(\"\") = %v, %v; want none (customers without an address are no match)", got, err)
	}

	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, tt := range []struct {
		key     string
		day     int
		n       int
		counted bool
	}{
		{"msg-1", 0, 1, true},
		{"msg-1", 0, 1, false}, // the same report read again
		{"msg-2", 1, 2, true},
		{"msg-1", 1, 2, false},
		{"msg-3", 2, 2, true}, // msg-1 fell out of the 36-hour window
	} {
		at := t0.Add(time.Duration(tt.day) * 24 * time.Hour)
		n, counted, err := s.RecordSoftBounceOnce(ctx, "h7", tt.key, at, "4.2.2 mailbox full", at.Add(-36*time.Hour))
		must(t, err)
		if n != tt.n || counted != tt.counted {
			t.Errorf("soft bounce %d (%s): %d, counted %v; want %d, %v", i+1, tt.key, n, counted, tt.n, tt.counted)
		}
	}
	if n, counted, err := s.RecordSoftBounceOnce(ctx, "h8", "msg-1", t0, "", t0); err != nil || n != 1 || !counted {
		t.Errorf("the same message for another address: %d, %v, %v; want counted on its own", n, counted, err)
	}
	if _, _, err := s.RecordSoftBounceOnce(ctx, "h7", "", t0, "", t0); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("a soft bounce without a message key: %v, want EINVALID", err)
	}
}
