package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/steward-crm/steward"
)

func testNotDuplicate(t *testing.T, s steward.Store) {
	ctx := context.Background()
	ids := customers(t, s, 4)
	pairs, err := s.NotDuplicatePairs(ctx)
	must(t, err)
	if len(pairs) != 0 {
		t.Errorf("pairs of an empty store: %v", pairs)
	}
	must(t, s.AddNotDuplicate(ctx, ids[2], ids[0], meta))
	must(t, s.AddNotDuplicate(ctx, ids[0], ids[2], meta))
	must(t, s.AddNotDuplicate(ctx, ids[1], ids[3], meta))
	pairs, err = s.NotDuplicatePairs(ctx)
	must(t, err)
	want := map[steward.Pair]bool{{A: ids[0], B: ids[2]}: true, {A: ids[1], B: ids[3]}: true}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("pairs = %v, want %v", pairs, want)
	}
	if !pairs[steward.NewPair(ids[2], ids[0])] {
		t.Error("NewPair does not find a stored pair given in reverse")
	}
	wantCode(t, s.AddNotDuplicate(ctx, ids[1], ids[1], meta), steward.EINVALID)
	wantCode(t, s.AddNotDuplicate(ctx, ids[1], 424242, meta), steward.ENOTFOUND)
}
