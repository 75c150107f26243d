package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/matchindex"
	"github.com/steward-crm/steward/internal/search"
	"github.com/steward-crm/steward/rules"
)

func customer(id int64, first, last, email, phone string) *steward.Customer {
	return &steward.Customer{ID: id, Status: steward.StatusActive, Record: steward.Record{
		FirstName: first, LastName: last, Email: email, Phone: phone, Country: "IR"}}
}

func TestLookup(t *testing.T) {
	x := search.New("IR")
	ali := customer(1, "علی", "رضایی", "ali.rezaei@gmail.com", "+989121234567")
	sara := customer(2, "Sara", "Rezaei", "sara@example.com", "+989351112233")
	aliL := customer(3, "Ali", "Karimi", "ali.k@example.com", "")
	x.Put([]*steward.Customer{ali, sara, aliL})
	tests := []struct {
		name  string
		q     search.Query
		want  []int64
		limit int
		more  bool
	}{
		{"email, as typed otherwise", search.Query{Text: "Ali.Rezaei+crm@GMAIL.com"}, []int64{1}, 10, false},
		{"phone, local", search.Query{Text: "0912 123 4567"}, []int64{1}, 10, false},
		{"phone, Persian digits", search.Query{Text: "۰۹۱۲۱۲۳۴۵۶۷"}, []int64{1}, 10, false},
		{"phone, international", search.Query{Phone: "+98 935 111 2233"}, []int64{2}, 10, false},
		{"family name in either script", search.Query{Text: "Rezaei"}, []int64{2, 1}, 10, false},
		{"full name, Latin for Persian", search.Query{Text: "Ali Rezaei"}, []int64{1}, 10, false},
		{"every word must match", search.Query{Text: "Sara Karimi"}, nil, 10, false},
		{"name and email", search.Query{Name: "Ali", Email: "ali.k@example.com"}, []int64{3}, 10, false},
		{"limit", search.Query{Text: "rezaei"}, []int64{2}, 1, true},
		{"nothing typed", search.Query{}, nil, 10, false},
		{"unknown", search.Query{Text: "nobody@example.com"}, nil, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more := x.Lookup(tt.q, tt.limit)
			if !slices.Equal(got, tt.want) || more != tt.more {
				t.Errorf("lookup %+v = %v (more %v), want %v (more %v)", tt.q, got, more, tt.want, tt.more)
			}
		})
	}
	// Written again: old keys find it no more; merged away: not at all.
	moved := *sara
	moved.Record.Email = "sara.new@example.com"
	gone := *ali
	gone.Status = steward.StatusMerged
	x.Put([]*steward.Customer{&moved, &gone})
	if got, _ := x.Lookup(search.Query{Text: "sara@example.com"}, 10); len(got) != 0 {
		t.Errorf("the old email still finds %v", got)
	}
	if got, _ := x.Lookup(search.Query{Text: "sara.new@example.com"}, 10); !slices.Equal(got, []int64{2}) {
		t.Errorf("the new email finds %v", got)
	}
	if got, _ := x.Lookup(search.Query{Text: "0912 123 4567"}, 10); len(got) != 0 {
		t.Errorf("a merged customer is found: %v", got)
	}
	if x.Len() != 2 {
		t.Errorf("len %d, want 2", x.Len())
	}
}

func TestRank(t *testing.T) {
	cs := []*steward.Customer{
		customer(1, "Ali", "Rezaei", "other@example.com", "+989129999999"),
		customer(2, "Ali", "Rezaei", "ali.rezaei@gmail.com", "+989121234567"),
		customer(3, "Alireza", "Rezaei", "", ""),
	}
	q := search.Query{Text: "ali.rezaei@gmail.com", Name: "Ali Rezaei"}
	hits, err := search.Rank(context.Background(), q.Record(), cs, rules.Default().DedupeConfig(), matchindex.DefaultModel())
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, h := range hits {
		order = append(order, fmt.Sprintf("%d", h.Customer.ID))
	}
	if hits[0].Customer.ID != 2 || hits[0].Probability <= hits[1].Probability {
		t.Errorf("ranked %v (%+v), want customer 2 first, alone at the top", order, hits)
	}
}
