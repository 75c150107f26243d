package web

import (
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// TestWaterfall: the bars start at the prior, each field's bar starts
// where the previous one ended and goes up or down by its weight, the
// total runs from 0 to the pair's weight, all on one scale that fits.
func TestWaterfall(t *testing.T) {
	pe := steward.PairEvidence{Prior: -9, Weight: 5.4, Fields: []steward.FieldEvidence{
		{Field: "first_name", Level: "close", Weight: 3.2}, {Field: "email", Level: "different", Weight: -2.4},
		{Field: "phone", Level: "exact", Weight: 13.6}, {Field: "birth_date", Level: "missing"}}}
	wf := newWaterfall(pe)
	if len(wf.Steps) != 6 {
		t.Fatalf("%d steps, want prior, 4 fields, total", len(wf.Steps))
	}
	scale := (wf.Zero - wfLabel) / 9 // px per unit: the prior runs from -9 to 0
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01 }
	wantKinds := []string{"base", "up", "down", "up", "none", "total"}
	at := -9.0
	for i, st := range wf.Steps {
		if st.Kind != wantKinds[i] {
			t.Errorf("step %d (%s) is %s, want %s", i, st.Label, st.Kind, wantKinds[i])
		}
		if st.X < wfLabel-0.01 || st.X+st.W > wfLabel+wfBars+0.01 {
			t.Errorf("step %d (%s) runs %v..%v, outside the bars", i, st.Label, st.X, st.X+st.W)
		}
		if i >= 1 && i <= 3 {
			lo := math.Min(at, at+pe.Fields[i-1].Weight)
			if !near(st.X, wf.Zero+lo*scale) || !near(st.W, math.Abs(pe.Fields[i-1].Weight)*scale) {
				t.Errorf("step %d (%s): x %v w %v, want x %v w %v", i, st.Label, st.X, st.W, wf.Zero+lo*scale, math.Abs(pe.Fields[i-1].Weight)*scale)
			}
			at += pe.Fields[i-1].Weight
		}
	}
	if total := wf.Steps[5]; !near(total.X, wf.Zero) || !near(total.W, 5.4*scale) || total.Weight != 5.4 {
		t.Errorf("total %+v, want from 0 to 5.4", total)
	}
}

// TestDecisionOf reads the decision form as a browser sends it.
func TestDecisionOf(t *testing.T) {
	form := url.Values{"action": {"merge"}, "v.3": {"2"}, "v.5": {"1"}, "v.9": {"4"}, "m": {"3", "5", "9"},
		"f.email": {"5"}, "p.email": {"3"}, "f.phone": {"3"}, "p.phone": {"3"}, "f.city": {"typed"}, "p.city": {"9"}, "t.city": {"تهران"}}
	d, err := decisionOf(form)
	if err != nil {
		t.Fatal(err)
	}
	city := "تهران"
	want := merge.Decision{Action: merge.ActionMerge, Versions: map[int64]int64{3: 2, 5: 1, 9: 4},
		Overrides: []merge.Override{{Field: "city", Value: &city}, {Field: "email", From: 5}}}
	if d.Action != want.Action || len(d.Members) != 0 || len(d.Versions) != 3 || d.Versions[9] != 4 || len(d.Overrides) != 2 ||
		d.Overrides[0].Field != "city" || *d.Overrides[0].Value != city || d.Overrides[1] != want.Overrides[1] {
		t.Errorf("merge: %+v", d)
	}
	form.Set("action", "merge_subset")
	form["m"] = []string{"3", "5"}
	if d, err := decisionOf(form); err != nil || len(d.Members) != 2 {
		t.Errorf("subset: %+v %v", d, err)
	}
	form.Set("survivor", "5")
	if d, err := decisionOf(form); err != nil || d.SurvivorID != 5 {
		t.Errorf("keep #5: %+v %v", d, err)
	}
	form.Set("survivor", "9")
	if _, err := decisionOf(form); steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), "#9") {
		t.Errorf("keep #9, not ticked: %v", err)
	}
	form.Set("survivor", "x")
	if _, err := decisionOf(form); steward.ErrorCode(err) != steward.EMALFORMED {
		t.Errorf("keep x: %v", err)
	}
	form.Del("survivor")
	form["m"] = []string{"3"}
	if _, err := decisionOf(form); steward.ErrorCode(err) != steward.EINVALID {
		t.Errorf("a subset of one: %v", err)
	}
	if d, err := decisionOf(url.Values{"action": {"not:5"}, "v.5": {"1"}}); err != nil || d.Action != merge.ActionNotDuplicate || d.Member != 5 {
		t.Errorf("one member not a duplicate: %+v %v", d, err)
	}
	for _, bad := range []url.Values{{}, {"action": {"delete"}}, {"action": {"not:x"}}, {"action": {"skip"}, "v.1": {"x"}}} {
		if _, err := decisionOf(bad); steward.ErrorCode(err) != steward.EMALFORMED {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// FuzzDecisionOf: any form is a decision or an error a steward can read,
// never a panic.
func FuzzDecisionOf(f *testing.F) {
	f.Add("action=merge&v.3=2&v.5=1&m=3&m=5&f.email=5&p.email=3")
	f.Add("action=not:5&v.5=1")
	f.Add("action=merge_subset&m=1&f.x=typed&t.x=%00")
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		if _, err := decisionOf(form); err != nil && steward.ErrorMessage(err) == "" {
			t.Errorf("%q: an error without a message", q)
		}
	})
}
