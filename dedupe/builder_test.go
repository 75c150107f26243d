package dedupe

import (
	"context"
	"reflect"
	"testing"
)

// TestIndexBuilder builds an index from batches of records, some empty,
// and runs on it: the index is the one NewIndex builds, and RunIndex finds
// what Run finds.
func TestIndexBuilder(t *testing.T) {
	ctx := context.Background()
	d := generated(t, 12_000, 67)
	want, err := Run(ctx, d.records, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewIndexBuilder(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Grow(6000) // less than the records: the rest grow by copying
	for _, batch := range [][2]int{{0, 5000}, {5000, 5000}, {5000, 11_999}, {11_999, 12_000}} {
		if err := b.Add(ctx, d.records[batch[0]:batch[1]]); err != nil {
			t.Fatal(err)
		}
	}
	if b.Len() != len(d.records) {
		t.Fatalf("Len %d, want %d", b.Len(), len(d.records))
	}
	ix, err := b.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Add(ctx, d.records[:1]); err == nil {
		t.Error("Add after Index did not fail")
	}
	sameIndex(t, want.Index, ix)
	got, err := RunIndex(ctx, ix, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Pairs, want.Pairs) || !reflect.DeepEqual(got.Cluster, want.Cluster) || !reflect.DeepEqual(got.Model, want.Model) {
		t.Fatalf("RunIndex: %d pairs, %d clusters; Run: %d pairs, %d clusters", len(got.Pairs), got.Stats.Clusters, len(want.Pairs), want.Stats.Clusters)
	}
}
