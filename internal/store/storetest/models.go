package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testModels(t *testing.T, s steward.Store) {
	ctx := context.Background()
	_, err := s.LatestModel(ctx)
	wantCode(t, err, steward.ENOTFOUND)

	tehran := time.FixedZone("IRST", 3*3600+1800)
	first := &steward.StoredModel{TrainedAt: time.Date(2026, 3, 1, 2, 30, 0, 123456789, tehran),
		Records: 1000000, Labels: 42, Origin: "run 12", Model: json.RawMessage(`{"prior": -13.2, "fields": [{"name": "email"}]}`)}
	before := time.Now().Add(-time.Second)
	must(t, s.SaveModel(ctx, first))
	if first.ID == 0 || first.CreatedAt.Before(before) || first.CreatedAt.Location() != time.UTC {
		t.Errorf("saved model: id %d, created %v; want an id and now in UTC", first.ID, first.CreatedAt)
	}
	if want := time.Date(2026, 2, 28, 23, 0, 0, 123456000, time.UTC); !first.TrainedAt.Equal(want) || first.TrainedAt.Location() != time.UTC {
		t.Errorf("saved model trained at %v, want %v", first.TrainedAt, want)
	}
	second := &steward.StoredModel{TrainedAt: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC),
		Records: 1000500, Model: json.RawMessage(`{"prior": -13.1, "fields": []}`)}
	must(t, s.SaveModel(ctx, second))
	if second.ID <= first.ID {
		t.Errorf("second model id %d, first %d", second.ID, first.ID)
	}

	// A model saved in a transaction that rolls back is not kept.
	boom := errors.New("boom")
	if err := s.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		if err := tx.SaveModel(ctx, &steward.StoredModel{TrainedAt: time.Now(), Model: json.RawMessage(`{}`)}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Atomic returned %v, want fn's error", err)
	}
	for _, bad := range []*steward.StoredModel{
		{TrainedAt: time.Now(), Model: json.RawMessage(`{"prior":`)},
		{TrainedAt: time.Now()},
		{Model: json.RawMessage(`{}`)},
		{TrainedAt: time.Now(), Records: -1, Model: json.RawMessage(`{}`)},
	} {
		wantCode(t, s.SaveModel(ctx, bad), steward.EINVALID)
	}

	got, err := s.LatestModel(ctx)
	must(t, err)
	if got.ID != second.ID || got.Records != second.Records || got.Labels != 0 || got.Origin != "" ||
		!got.TrainedAt.Equal(second.TrainedAt) || !got.CreatedAt.Equal(second.CreatedAt) || !sameJSON(got.Model, second.Model) {
		t.Errorf("latest model = %+v\nwant %+v", got, second)
	}
	if got.TrainedAt.Location() != time.UTC || got.CreatedAt.Location() != time.UTC {
		t.Errorf("latest model's times are in %v and %v, want UTC", got.TrainedAt.Location(), got.CreatedAt.Location())
	}
}
