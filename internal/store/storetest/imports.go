package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

// testImports: imports are recorded with their counts and summary, read
// back one by one and newest first, filtered by source and paged; a bad
// record is refused.
func testImports(t *testing.T, s steward.Store) {
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var ids []int64
	for i, src := range []string{"shop", "crm", "shop"} {
		im := &steward.ImportRecord{Source: src, Name: "file.csv", Actor: "ops", Status: steward.ImportCommitted,
			StartedAt: at.Add(time.Duration(i) * time.Hour), FinishedAt: at.Add(time.Duration(i)*time.Hour + time.Minute),
			Rows: 10 + i, Accepted: 9, Rejected: 1 + i, Created: 7, Updated: 1, Merged: 1, Summary: []byte(`{"rows": 10, "codes": {"email_syntax": 1}}`)}
		must(t, s.RecordImport(ctx, im))
		ids = append(ids, im.ID)
	}
	failed := &steward.ImportRecord{Source: "crm", Name: "broken.csv", Status: steward.ImportFailed, Error: "a quote never closes", StartedAt: at, FinishedAt: at}
	must(t, s.RecordImport(ctx, failed))
	got, err := s.Import(ctx, ids[1])
	must(t, err)
	if got.Source != "crm" || got.Rows != 11 || got.Rejected != 2 || !got.StartedAt.Equal(at.Add(time.Hour)) || got.Status != steward.ImportCommitted || len(got.Summary) == 0 {
		t.Errorf("import %+v", got)
	}
	all, err := s.Imports(ctx, steward.ImportFilter{})
	must(t, err)
	if len(all) != 4 || all[0].ID != failed.ID || all[0].Error != "a quote never closes" || all[0].Summary != nil {
		t.Errorf("imports newest first: %d, first %+v", len(all), all[0])
	}
	shop, err := s.Imports(ctx, steward.ImportFilter{Source: "shop", Before: ids[2], Limit: 5})
	must(t, err)
	if len(shop) != 1 || shop[0].ID != ids[0] {
		t.Errorf("shop's imports before %d: %+v", ids[2], shop)
	}
	_, err = s.Import(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	wantCode(t, s.RecordImport(ctx, &steward.ImportRecord{Source: "x", Status: "maybe", StartedAt: at, FinishedAt: at}), steward.EINVALID)
	wantCode(t, s.RecordImport(ctx, &steward.ImportRecord{Status: steward.ImportFailed, StartedAt: at, FinishedAt: at}), steward.EINVALID)
}
