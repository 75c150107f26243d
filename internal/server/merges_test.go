package server_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/steward-crm/steward"
)

// create makes a customer through the API and returns it.
func (a *api) create(body map[string]any) steward.Customer {
	a.t.Helper()
	var out admittedReply
	r := a.do("steward", "POST", "/api/v1/customers", body)
	if r.status != 201 {
		a.t.Fatalf("create: %d %s", r.status, r.body)
	}
	r.decode(a.t, &out)
	return out.Customer
}

func TestReviewAndDecide(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		first := a.create(ali)
		var dup admittedReply
		a.want(a.do("steward", "POST", "/api/v1/customers", aliAgain), 201).decode(t, &dup)
		// The queue.
		var pg struct {
			Items      []steward.Suggestion
			NextCursor string `json:"next_cursor"`
		}
		a.want(a.do("viewer", "GET", "/api/v1/suggestions?order=uncertain&limit=1", nil), 200).decode(t, &pg)
		if len(pg.Items) != 1 || pg.Items[0].ID != dup.Suggestion.ID || pg.NextCursor == "" {
			t.Fatalf("queue %+v", pg)
		}
		a.want(a.do("viewer", "GET", "/api/v1/suggestions?cursor="+pg.NextCursor, nil), 200).decode(t, &pg)
		if len(pg.Items) != 0 {
			t.Errorf("second page %+v", pg)
		}
		a.want(a.do("viewer", "GET", "/api/v1/suggestions?order=sideways", nil), 422)
		a.want(a.do("viewer", "GET", "/api/v1/suggestions?min_probability=x", nil), 400)
		a.want(a.do("viewer", "GET", "/api/v1/suggestions?cursor=424242", nil), 404)
		// One suggestion: side by side, the evidence, the proposed survivor.
		path := fmt.Sprintf("/api/v1/suggestions/%d", dup.Suggestion.ID)
		r := a.want(a.do("viewer", "GET", path, nil), 200)
		var v struct {
			Members  []steward.Customer
			Evidence steward.Evidence
			Proposed struct {
				SurvivorID int64 `json:"survivor_id"`
				Record     steward.Record
			}
		}
		r.decode(t, &v)
		etag := r.header.Get("ETag")
		if len(v.Members) != 2 || len(v.Evidence.Pairs) != 1 || len(v.Evidence.Pairs[0].Fields) == 0 ||
			v.Proposed.SurvivorID != first.ID || v.Proposed.Record.City != "تهران" || etag == "" {
			t.Fatalf("suggestion view %s", r.body)
		}
		// A member changes: the decision made on what was seen is refused.
		a.want(a.do("steward", "PATCH", fmt.Sprintf("/api/v1/customers/%d", first.ID), map[string]any{"region": "Tehran"}), 200)
		r = a.want(a.do("steward", "POST", path+"/decisions", map[string]any{"action": "merge"}, "If-Match", etag), 409)
		var conflict struct{ Current []steward.Customer }
		r.decode(t, &conflict)
		if len(conflict.Current) != 2 {
			t.Errorf("conflict without the members as they are: %s", r.body)
		}
		etag = a.want(a.do("viewer", "GET", path, nil), 200).header.Get("ETag")
		a.want(a.do("steward", "POST", path+"/decisions", map[string]any{"action": "merge", "overrides": []map[string]any{{"field": "email", "value": "bad@@x"}}}, "If-Match", etag), 422)
		r = a.want(a.do("steward", "POST", path+"/decisions", map[string]any{"action": "merge", "survivor_id": dup.Customer.ID}, "If-Match", etag), 200)
		var d struct {
			Suggestion steward.Suggestion
			Merge      struct {
				Merge    steward.Merge
				Survivor steward.Customer
			}
		}
		r.decode(t, &d)
		if d.Suggestion.Status != steward.SuggestionMerged || d.Merge.Survivor.ID != dup.Customer.ID {
			t.Fatalf("decision %s", r.body)
		}
		a.want(a.do("steward", "POST", path+"/decisions", map[string]any{"action": "skip"}), 409)
		// The merged id answers with its survivor; the search finds the
		// survivor only.
		var cv struct {
			Customer   steward.Customer
			MergedFrom []int64 `json:"merged_from"`
			Aliases    []int64
		}
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", first.ID), nil), 200).decode(t, &cv)
		if cv.Customer.ID != dup.Customer.ID || fmt.Sprint(cv.MergedFrom) != fmt.Sprint([]int64{first.ID}) {
			t.Errorf("merged id answers %+v", cv)
		}
		var sr struct {
			Items []struct{ Customer steward.Customer }
		}
		a.want(a.do("viewer", "GET", "/api/v1/customers?q=ali.rezaei@gmail.com", nil), 200).decode(t, &sr)
		if len(sr.Items) != 1 || sr.Items[0].Customer.ID != dup.Customer.ID {
			t.Errorf("search after the merge %+v", sr)
		}
		// Merges: list, get, undo with If-Match.
		var ml struct{ Items []struct{ ID int64 } }
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/merges?customer_id=%d", first.ID), nil), 200).decode(t, &ml)
		if len(ml.Items) != 1 || ml.Items[0].ID != d.Merge.Merge.ID {
			t.Fatalf("merges %+v", ml)
		}
		mpath := fmt.Sprintf("/api/v1/merges/%d", d.Merge.Merge.ID)
		r = a.want(a.do("viewer", "GET", mpath, nil), 200)
		a.want(a.do("steward", "POST", mpath+"/undo", nil, "If-Match", `"m9"`), 409)
		a.want(a.do("steward", "POST", mpath+"/undo", nil, "If-Match", r.header.Get("ETag")), 200)
		a.want(a.do("steward", "POST", mpath+"/undo", nil), 409)
		var back struct{ Customer steward.Customer }
		a.want(a.do("viewer", "GET", fmt.Sprintf("/api/v1/customers/%d", first.ID), nil), 200).decode(t, &back)
		if back.Customer.ID != first.ID || back.Customer.Status != steward.StatusActive {
			t.Errorf("after undo %+v", back.Customer)
		}
		// Not a duplicate, then an ad hoc three-way merge and a take-out.
		etag = a.want(a.do("viewer", "GET", path, nil), 200).header.Get("ETag")
		a.want(a.do("steward", "POST", path+"/decisions", map[string]any{"action": "not_duplicate"}, "If-Match", etag), 200)
		if pairs, _ := st.NotDuplicatePairs(t.Context()); !pairs[steward.NewPair(first.ID, dup.Customer.ID)] {
			t.Errorf("not-duplicate pairs %v", pairs)
		}
		third := a.create(map[string]any{"first_name": "Reza", "last_name": "Karimi", "email": "reza@example.com"})
		var mr struct {
			Merge    steward.Merge
			Survivor steward.Customer
		}
		r = a.want(a.do("steward", "POST", "/api/v1/merges", map[string]any{"customer_ids": []int64{first.ID, dup.Customer.ID, third.ID},
			"overrides": []map[string]any{{"field": "first_name", "from": third.ID}}}), 201)
		r.decode(t, &mr)
		if mr.Survivor.Record.FirstName != "Reza" || r.header.Get("Location") != fmt.Sprintf("/api/v1/merges/%d", mr.Merge.ID) {
			t.Errorf("merge %s", r.body)
		}
		mpath = fmt.Sprintf("/api/v1/merges/%d", mr.Merge.ID)
		a.want(a.do("steward", "DELETE", fmt.Sprintf("%s/members/%d", mpath, mr.Merge.SurvivorID), nil), 422)
		r = a.want(a.do("steward", "DELETE", fmt.Sprintf("%s/members/%d", mpath, third.ID), nil, "If-Match", `"m1"`), 200)
		var to struct{ Survivor steward.Customer }
		r.decode(t, &to)
		if to.Survivor.Record.FirstName == "Reza" {
			t.Errorf("survivor kept the first name of the member taken out: %+v", to.Survivor.Record)
		}
		a.want(a.do("steward", "POST", "/api/v1/merges", map[string]any{"customer_ids": []int64{third.ID}}), 422)
		a.want(a.do("steward", "POST", "/api/v1/merges/preview", map[string]any{"customer_ids": []int64{third.ID, 424242}}), 404)
	})
}

// TestMergeRace: two stewards merge overlapping clusters at once, each
// with the versions they saw: one gets 201, the other 409, and the
// database holds the winner's merge only.
func TestMergeRace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		a := newAPI(t, st)
		for round := range 4 {
			var cs []steward.Customer
			for i := range 3 {
				cs = append(cs, a.create(map[string]any{"first_name": fmt.Sprint("P", round, i), "email": fmt.Sprintf("p%d%d@example.com", round, i)}))
			}
			body := func(x, y steward.Customer) map[string]any {
				return map[string]any{"customer_ids": []int64{x.ID, y.ID}, "versions": map[string]int64{fmt.Sprint(x.ID): x.Version, fmt.Sprint(y.ID): y.Version}}
			}
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i, b := range []map[string]any{body(cs[0], cs[1]), body(cs[1], cs[2])} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = a.do("steward", "POST", "/api/v1/merges", b).status
				}()
			}
			wg.Wait()
			if !(statuses[0] == http.StatusCreated && statuses[1] == http.StatusConflict || statuses[0] == http.StatusConflict && statuses[1] == http.StatusCreated) {
				t.Fatalf("round %d: statuses %v, want one 201 and one 409", round, statuses)
			}
			ms, err := st.Merges(t.Context(), steward.MergeFilter{CustomerID: cs[1].ID})
			if err != nil || len(ms) != 1 {
				t.Fatalf("round %d: merges of the shared customer %v (%v)", round, ms, err)
			}
			active := 0
			for _, c := range cs {
				got, err := st.Customer(t.Context(), c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status == steward.StatusActive {
					active++
				}
			}
			if active != 2 {
				t.Errorf("round %d: %d active customers, want 2", round, active)
			}
		}
	})
}
