package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/merge"
)

// member is one column of a suggestion page.
type member struct {
	Customer *steward.Customer
	Name     string
	// Open says the member can still be merged (active, or held for this
	// decision).
	Open bool
}

// cell is one member's value of one field.
type cell struct {
	MemberID int64
	Value    string
	Chosen   bool
	Open     bool
}

// fieldRow is one field of the members side by side.
type fieldRow struct {
	Field   string
	Label   string
	Cells   []cell
	Differs bool
	// Chooser is who picked the survivor's value (policy, consent), its
	// strategy, and the member it comes from (0 for none).
	By       steward.Chooser
	Strategy steward.Strategy
	From     int64
	Value    string
	// Locked says a steward cannot change the value (consent keeps the
	// most restrictive one).
	Locked bool
}

// pairView is one scored pair with its waterfall.
type pairView struct {
	Pair      steward.PairEvidence
	Waterfall waterfall
}

type suggestionPage struct {
	Suggestion *steward.Suggestion
	Evidence   *steward.Evidence
	Members    []member
	Rows       []fieldRow
	Hidden     int
	HideSame   bool
	Pairs      []pairView
	Plan       *merge.Plan
	Consent    []string
	Notes      []string
	Q          queueQuery
	// Conflict says why the page is shown afresh after a decision failed.
	Conflict string
	Changed  []string
	Done     *doneNote
	Pending  bool
	// Claim is another steward's live claim of the suggestion.
	Claim *steward.Claim
}

// doneNote is what the previous decision did, with its undo.
type doneNote struct {
	Action  string
	Merge   int64
	Version int64
}

// loadSuggestion reads suggestion id with its members, evidence and the
// plan of a merge of every open member.
func (p *Pages) loadSuggestion(ctx context.Context, id int64, hideSame bool) (*suggestionPage, error) {
	sg, err := p.st.Suggestion(ctx, id)
	if err != nil {
		return nil, err
	}
	ev, err := sg.DecodeEvidence()
	if err != nil {
		return nil, err
	}
	v := &suggestionPage{Suggestion: sg, Evidence: ev, HideSame: hideSame,
		Pending: sg.Status == steward.SuggestionPending || sg.Status == steward.SuggestionSkipped}
	var open []int64
	for _, mid := range sg.CustomerIDs {
		cu, err := p.st.Customer(ctx, mid)
		if err != nil {
			return nil, err
		}
		m := member{Customer: cu, Name: displayName(cu), Open: cu.Status == steward.StatusActive || cu.Status == steward.StatusHeld}
		if m.Open {
			open = append(open, mid)
		}
		switch cu.Status {
		case steward.StatusMerged:
			v.Notes = append(v.Notes, fmt.Sprintf("#%d was merged into #%d since this was suggested; a merge takes #%d instead.", cu.ID, cu.MergedInto, cu.MergedInto))
		case steward.StatusErased:
			v.Notes = append(v.Notes, fmt.Sprintf("#%d was erased.", cu.ID))
		case steward.StatusHeld:
			v.Notes = append(v.Notes, fmt.Sprintf("#%d is held back by an import until this is decided: merging takes it in, “not a duplicate” lets it in.", cu.ID))
		}
		v.Members = append(v.Members, m)
	}
	if len(open) >= 2 {
		if v.Plan, err = p.cfg.Merges.Preview(ctx, p.st, merge.Request{CustomerIDs: open}); err != nil {
			return nil, err
		}
	}
	v.rows()
	if err := p.suppressionNotes(ctx, v); err != nil {
		return nil, err
	}
	for _, pe := range ev.Pairs {
		v.Pairs = append(v.Pairs, pairView{Pair: pe, Waterfall: newWaterfall(pe)})
	}
	return v, nil
}

// rows lays the members' fields out as rows, with the plan's choice.
func (v *suggestionPage) rows() {
	fields := slices.Clone(steward.CanonicalFields())
	var attrs []string
	for _, m := range v.Members {
		for _, a := range m.Customer.Record.AttributeNames() {
			if !slices.Contains(attrs, a) {
				attrs = append(attrs, a)
			}
		}
	}
	slices.Sort(attrs)
	fields = append(fields, attrs...)
	choices := map[string]steward.FieldChoice{}
	if v.Plan != nil {
		for _, ch := range v.Plan.Choices {
			choices[ch.Field] = ch
		}
	}
	for _, f := range fields {
		row := fieldRow{Field: f, Label: fieldLabel(f)}
		seen := map[string]bool{}
		any := false
		for _, m := range v.Members {
			val := m.Customer.Record.Get(f)
			any = any || val != ""
			seen[val] = true
			row.Cells = append(row.Cells, cell{MemberID: m.Customer.ID, Value: val, Open: m.Open})
		}
		if !any {
			continue
		}
		row.Differs = len(seen) > 1
		if ch, ok := choices[f]; ok {
			row.By, row.Strategy, row.From, row.Value = ch.By, ch.Strategy, ch.From, ch.Value
			row.Locked = ch.By == steward.ByConsent
			for i := range row.Cells {
				row.Cells[i].Chosen = row.Cells[i].MemberID == ch.From
			}
			if ch.By == steward.ByConsent && ch.Differs && ch.From != 0 {
				v.Consent = append(v.Consent, fmt.Sprintf("This merge keeps %s = “%s” of #%d: the most restrictive consent wins, whatever is picked below.", fieldLabel(f), ch.Value, ch.From))
			}
		}
		if v.HideSame && !row.Differs {
			v.Hidden++
			continue
		}
		v.Rows = append(v.Rows, row)
	}
}

// pathID reads the path's {name} as an id.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, steward.Errorf(steward.ENOTFOUND, "There is no %s %q: the address should end in a number.", name, s)
	}
	return id, nil
}

// suggestion shows one suggestion: its members side by side, the
// evidence, and the decision form.
func (p *Pages) suggestion(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	v, err := p.loadSuggestion(r.Context(), id, c.hideSame)
	if err != nil {
		return err
	}
	if v.Q, _, err = parseQueue(q); err != nil {
		v.Q = queueQuery{Order: steward.MostUncertain}
	}
	if d := q.Get("done"); d != "" {
		v.Done = &doneNote{Action: d}
		v.Done.Merge, _ = strconv.ParseInt(q.Get("merge"), 10, 64)
		v.Done.Version, _ = strconv.ParseInt(q.Get("mv"), 10, 64)
	}
	claims, err := p.st.SuggestionClaims(r.Context(), []int64{id}, p.cfg.Now().UTC())
	if err != nil {
		return err
	}
	if cl, ok := claims[id]; ok && cl.By != c.user.Name {
		v.Claim = &cl
	}
	if err := p.cfg.Audit(r.Context(), c.action("suggestion.read", fmt.Sprintf("suggestion:%d", id), map[string]any{"customers": v.Suggestion.CustomerIDs, "via": "web"})); err != nil {
		return err
	}
	return p.render(w, r, c, http.StatusOK, "suggestion", fmt.Sprintf("Suggestion %d", id), v)
}

// step opens the suggestion after ({dir} "next") or before ("prev")
// suggestion {id} in the queue's order, or the queue when there is none:
// keyset both ways, the previous being the next in the reverse order. A
// link rather than the page's work: most pages are decided, not stepped
// from.
func (p *Pages) step(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	qq, f, err := parseQueue(r.URL.Query())
	if err != nil {
		return err
	}
	switch r.PathValue("dir") {
	case "next":
	case "prev":
		f.Order = map[steward.SuggestionOrder]steward.SuggestionOrder{steward.MostConfident: steward.MostUncertain, steward.MostUncertain: steward.MostConfident}[f.Order]
	default:
		return steward.Errorf(steward.ENOTFOUND, "There is no page %s here: step to next or prev.", r.URL.Path)
	}
	f.After, f.Limit = id, 1
	sgs, err := p.st.Suggestions(r.Context(), f)
	if err != nil {
		return err
	}
	if len(sgs) == 0 {
		v := qq.Values()
		v.Set("done", "end")
		http.Redirect(w, r, "/queue?"+v.Encode(), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/suggestions/%d?%s", sgs[0].ID, qq.Query()), http.StatusSeeOther)
	return nil
}

// nextSuggestion opens the first pending suggestion of the queue's
// filter, or the queue when none is left.
func (p *Pages) nextSuggestion(w http.ResponseWriter, r *http.Request, c *call) error {
	qq, f, err := parseQueue(r.URL.Query())
	if err != nil {
		return err
	}
	var first *steward.Suggestion
	err = unclaimed(r.Context(), p.st, f, c.user.Name, p.cfg.Now().UTC(), func(sg *steward.Suggestion, _ *steward.Claim) (bool, error) {
		first = sg
		return false, nil
	})
	if err != nil {
		return err
	}
	carry := qq.Values()
	for _, k := range []string{"done", "merge", "mv"} {
		if s := r.URL.Query().Get(k); s != "" {
			carry.Set(k, s)
		}
	}
	if first == nil {
		carry.Set("done", "empty")
		http.Redirect(w, r, "/queue?"+carry.Encode(), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/suggestions/%d?%s", first.ID, carry.Encode()), http.StatusSeeOther)
	return nil
}

// decide records the steward's decision from the suggestion page's form
// and opens the next suggestion; a suggestion or member changed since
// the page was read shows it afresh, saying who changed what.
func (p *Pages) decide(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return steward.Errorf(steward.EMALFORMED, "The decision did not arrive whole; nothing changed. Try again.")
	}
	form := r.PostForm
	qq, _, _ := parseQueue(form)
	d, err := decisionOf(form)
	if err != nil {
		return err
	}
	var out *merge.Decided
	err = p.cfg.Write(r.Context(), c.action("suggestion.decide", fmt.Sprintf("suggestion:%d", id), map[string]any{"action": d.Action, "via": "web"}),
		func(ctx context.Context, tx steward.Store) ([]*steward.Customer, error) {
			var err error
			out, err = p.cfg.Merges.Decide(ctx, tx, id, d, c.action("", "", nil).Meta())
			if err != nil || out.Merge == nil {
				if out != nil {
					return out.Released, err
				}
				return nil, err
			}
			return out.Merge.Touched, nil
		})
	if steward.ErrorCode(err) == steward.ECONFLICT {
		return p.conflict(w, r, c, id, d, qq, err)
	}
	if err != nil {
		return err
	}
	next := qq.Values()
	next.Set("done", string(d.Action))
	if out.Merge != nil {
		next.Set("merge", fmt.Sprint(out.Merge.Merge.ID))
		next.Set("mv", fmt.Sprint(out.Merge.Merge.Version))
		p.setCookie(w, r, lastMergeCookie, fmt.Sprintf("%d.%d", out.Merge.Merge.ID, out.Merge.Merge.Version), 24*3600)
	}
	http.Redirect(w, r, "/suggestions/next?"+next.Encode(), http.StatusSeeOther)
	return nil
}

// conflict shows suggestion id afresh after decision d failed with err,
// naming who changed its members since the steward's page was read.
func (p *Pages) conflict(w http.ResponseWriter, r *http.Request, c *call, id int64, d merge.Decision, qq queueQuery, err error) error {
	v, lerr := p.loadSuggestion(r.Context(), id, false)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	v.Q = qq
	v.Conflict = steward.ErrorMessage(err)
	if !v.Pending {
		by := v.Suggestion.DecidedBy
		if by == "" {
			by = "someone"
		}
		v.Changed = append(v.Changed, fmt.Sprintf("%s decided it meanwhile (%s, %s).", by, v.Suggestion.Status, v.Suggestion.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, m := range v.Members {
		saw, ok := d.Versions[m.Customer.ID]
		if !ok || saw == m.Customer.Version {
			continue
		}
		changes, cerr := p.st.Changes(r.Context(), m.Customer.ID)
		if cerr != nil {
			return errors.Join(err, cerr)
		}
		who := "someone"
		var when string
		if n := len(changes); n > 0 {
			who, when = changes[n-1].Actor, changes[n-1].At.UTC().Format("2006-01-02 15:04 UTC")
		}
		v.Changed = append(v.Changed, fmt.Sprintf("#%d was changed by %s at %s (version %d, you saw %d).", m.Customer.ID, who, when, m.Customer.Version, saw))
	}
	return p.render(w, r, c, http.StatusConflict, "suggestion", fmt.Sprintf("Suggestion %d changed", id), v)
}

// decisionOf reads the decision form: the action button pressed, the
// members ticked, the versions seen, the record whose id is kept, and
// every survivor value picked other than the preselected one.
func decisionOf(form map[string][]string) (merge.Decision, error) {
	get := func(k string) string {
		if vs := form[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	var d merge.Decision
	action := get("action")
	switch {
	case action == "merge" || action == "merge_subset":
		d.Action = merge.ActionMerge
	case action == "not_duplicate":
		d.Action = merge.ActionNotDuplicate
	case len(action) > 4 && action[:4] == "not:":
		d.Action = merge.ActionNotDuplicate
		id, err := strconv.ParseInt(action[4:], 10, 64)
		if err != nil {
			return d, steward.Errorf(steward.EMALFORMED, "Which member is not a duplicate was not understood; nothing changed.")
		}
		d.Member = id
	case action == "skip":
		d.Action = merge.ActionSkip
	default:
		return d, steward.Errorf(steward.EMALFORMED, "Press merge, not a duplicate or skip; nothing changed.")
	}
	d.Versions = map[int64]int64{}
	var all []int64
	for k, vs := range form {
		if len(k) > 2 && k[:2] == "v." && len(vs) > 0 {
			id, err1 := strconv.ParseInt(k[2:], 10, 64)
			ver, err2 := strconv.ParseInt(vs[0], 10, 64)
			if err1 != nil || err2 != nil {
				return d, steward.Errorf(steward.EMALFORMED, "The page's versions were not understood; reload it and decide again.")
			}
			d.Versions[id] = ver
			all = append(all, id)
		}
	}
	if d.Action != merge.ActionMerge {
		return d, nil
	}
	var picked []int64
	for _, s := range form["m"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return d, steward.Errorf(steward.EMALFORMED, "A ticked member was not understood; nothing changed.")
		}
		picked = append(picked, id)
	}
	if action == "merge_subset" || (len(picked) > 0 && len(picked) < len(all)) {
		if len(picked) < 2 {
			return d, steward.FieldErrorf(steward.EINVALID, "members", "Tick at least two records to merge; nothing changed.")
		}
		d.Members = picked
	}
	in := func(id int64) bool { return len(d.Members) == 0 || slices.Contains(d.Members, id) }
	if v := get("survivor"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return d, steward.Errorf(steward.EMALFORMED, "The record to keep was not understood; nothing changed.")
		}
		if !in(id) || !slices.Contains(all, id) {
			return d, steward.FieldErrorf(steward.EINVALID, "survivor", "The record whose id is kept (#%d) must be one of those merged; tick it, or keep another; nothing changed.", id)
		}
		d.SurvivorID = id
	}
	var fields []string
	for k := range form {
		if len(k) > 2 && k[:2] == "f." {
			fields = append(fields, k[2:])
		}
	}
	slices.Sort(fields)
	for _, f := range fields {
		choice, preset := get("f."+f), get("p."+f)
		if choice == preset {
			continue
		}
		if choice == "typed" {
			val := get("t." + f)
			d.Overrides = append(d.Overrides, merge.Override{Field: f, Value: &val})
			continue
		}
		from, err := strconv.ParseInt(choice, 10, 64)
		if err != nil {
			return d, steward.Errorf(steward.EMALFORMED, "The value picked for %s was not understood; nothing changed.", fieldLabel(f))
		}
		if in(from) {
			d.Overrides = append(d.Overrides, merge.Override{Field: f, From: from})
		}
	}
	return d, nil
}

// suppressionNotes calls out the members whose email address or phone
// number is suppressed, and whether the merged record keeps a suppressed
// one: a suppression stays with its address, not with the customer.
func (p *Pages) suppressionNotes(ctx context.Context, v *suggestionPage) error {
	if p.cfg.Suppressions == nil {
		return nil
	}
	kept := map[steward.Channel]int64{}
	if v.Plan != nil {
		for _, ch := range v.Plan.Choices {
			switch ch.Field {
			case steward.FieldEmail:
				kept[steward.ChannelEmail] = ch.From
			case steward.FieldPhone:
				kept[steward.ChannelSMS] = ch.From
			}
		}
	}
	for _, m := range v.Members {
		ss, err := p.cfg.Suppressions(ctx, m.Customer)
		if err != nil {
			return err
		}
		seen := map[steward.Channel]bool{}
		for _, s := range ss {
			if seen[s.Channel] {
				continue
			}
			seen[s.Channel] = true
			what := "email address"
			if s.Channel == steward.ChannelSMS {
				what = "phone number"
			}
			note := fmt.Sprintf("#%d's %s is suppressed (%s, %s, %s)", m.Customer.ID, what, strings.ReplaceAll(string(s.Reason), "_", " "), s.Source, s.CreatedAt.UTC().Format("2006-01-02"))
			switch from, ok := kept[s.Channel]; {
			case !ok || v.Plan == nil:
				note += "."
			case from == m.Customer.ID:
				note += ": the merged record keeps this " + what + ", and it stays suppressed."
			default:
				note += fmt.Sprintf(": the merged record keeps the %s of #%d instead; the suppression stays with #%d's, so check before writing to the merged customer.", what, from, m.Customer.ID)
			}
			v.Consent = append(v.Consent, note)
		}
	}
	return nil
}
