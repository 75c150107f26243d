package dedupe

import (
	"context"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
)

// TestTwoScripts: one person written in Persian script by a call centre
// and in Latin letters by a web form meets under a skeleton key (the
// transliteration key) and matches, with its names compared as one name
// in two scripts.
func TestTwoScripts(t *testing.T) {
	recs := []steward.Record{
		{SourceID: "fa", FirstName: "سعید", LastName: "فرهادی", City: "تهران", Country: "IR", BirthDate: "1975-03-08"},
		{SourceID: "en", FirstName: "Saeed", LastName: "Farhadi", City: "Tehran", Country: "Iran", BirthDate: "1975-03-08"},
		{SourceID: "fa2", FirstName: "بهنام", LastName: "طاهری", Phone: "0912 111 2233"},
		{SourceID: "en2", FirstName: "Behnam", LastName: "Taheri", Phone: "+98 912 111 2233"},
	}
	recs = append(recs, explainFixture()[2:]...) // others, to train on
	res, err := Run(context.Background(), recs, DefaultConfig(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]int{{0, 1}, {2, 3}} {
		keys := res.Index.SharedKeys(pair[0], pair[1])
		if !slices.Contains(keys, BlockSortedSkeletons) && !slices.Contains(keys, BlockLastNamePhonetic) {
			t.Errorf("%s and %s share %v: no transliteration key", recs[pair[0]].SourceID, recs[pair[1]].SourceID, keys)
		}
		if res.Cluster[pair[0]] != res.Cluster[pair[1]] {
			t.Errorf("%s and %s are not one customer", recs[pair[0]].SourceID, recs[pair[1]].SourceID)
		}
	}
	var a, b prepared
	res.Index.rec(2, &a)
	res.Index.rec(3, &b)
	if got := levelName(cmpLastName, compare(&a, &b)); got != "transliterated" {
		t.Errorf("طاهری and Taheri: last name level %q, want transliterated", got)
	}
}
