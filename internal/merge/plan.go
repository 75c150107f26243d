package merge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
	"github.com/steward-crm/steward/internal/gate"
)

// Override is a steward's choice for one field of the survivor: the value
// of another member (From), or a value typed in (Value, which is
// standardized and validated as an import's would be).
type Override struct {
	Field string `json:"field"`
	// From is the member whose value the survivor takes.
	From int64 `json:"from,omitempty"`
	// Value is a value the steward typed; "" clears the field.
	Value *string `json:"value,omitempty"`
}

// Plan is what a merge would make of its members: the survivor's record
// and where each value comes from.
type Plan struct {
	SurvivorID int64                 `json:"survivor_id"`
	Record     steward.Record        `json:"record"`
	Choices    []steward.FieldChoice `json:"choices"`
	// Findings are the warnings about typed values (or their errors, when
	// the rules store invalid records with a warning).
	Findings []steward.Finding `json:"findings,omitempty"`
	// Members are the customers as the plan saw them, ascending by id.
	Members []*steward.Customer `json:"members"`
}

// plan computes the survivor of members (ascending by id, survivorID
// among them) under policy and the overrides, without checking typed
// values: customs lists the fields that hold one, and base is rec without
// them (the policy's or a member's value in their place), to check them
// against.
func plan(members []*steward.Customer, survivorID int64, policy steward.Survivorship, overrides []Override) (
	rec, base steward.Record, choices []steward.FieldChoice, customs []string, err error) {
	// The survivor comes first: ties go to it, and its source record is
	// the merged customer's.
	ms := make([]dedupe.Member, 0, len(members))
	for _, c := range members {
		if c.ID == survivorID {
			ms = append(ms, dedupe.Member{ID: c.ID, Record: &c.Record, UpdatedAt: c.UpdatedAt})
		}
	}
	for _, c := range members {
		if c.ID != survivorID {
			ms = append(ms, dedupe.Member{ID: c.ID, Record: &c.Record, UpdatedAt: c.UpdatedAt})
		}
	}
	eff := consentPolicy(members, policy)
	rec, dc := dedupe.Survive(ms, eff)
	choices = make([]steward.FieldChoice, len(dc))
	for i, c := range dc {
		by := steward.ByPolicy
		if eff.IsConsent(c.Field) {
			by = steward.ByConsent
		}
		choices[i] = steward.FieldChoice{Field: c.Field, Value: c.Value, From: c.From, Strategy: c.Strategy, By: by, Differs: c.Differs}
	}
	seen := make(map[string]bool, len(overrides))
	for _, o := range overrides {
		field := strings.ToLower(strings.TrimSpace(o.Field))
		switch {
		case field == "":
			return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, "overrides", "An override names the field it sets.")
		case field == steward.ColumnID || field == steward.ColumnSource || field == steward.ColumnStatus || field == steward.ColumnMergedInto:
			return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, field,
				"%s is not a value to choose: the survivor keeps its own; pick another survivor instead.", field)
		case eff.IsConsent(field):
			return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, field,
				"%s is a consent attribute: a merge always keeps its most restrictive value, so that no one who opted out is contacted again; it cannot be overridden.", field)
		case seen[field]:
			return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, field, "%s is overridden twice; choose one value.", field)
		case (o.From != 0) == (o.Value != nil):
			return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, field,
				"An override of %s takes either a member to take the value from or a value, not %s.", field, map[bool]string{true: "both", false: "neither"}[o.From != 0])
		}
		seen[field] = true
		ch := steward.FieldChoice{Field: field, By: steward.BySteward}
		if o.From != 0 {
			i := slices.IndexFunc(members, func(c *steward.Customer) bool { return c.ID == o.From })
			if i < 0 {
				return rec, base, nil, nil, steward.FieldErrorf(steward.EINVALID, field,
					"The value of %s is to come from customer %d, which is not a member of the merge.", field, o.From)
			}
			ch.Value, ch.From = members[i].Record.Get(field), o.From
			rec.Set(field, ch.Value)
		} else {
			ch.Value = *o.Value
			customs = append(customs, field)
		}
		if i := slices.IndexFunc(choices, func(c steward.FieldChoice) bool { return c.Field == field }); i >= 0 {
			ch.Differs = choices[i].Differs
			choices[i] = ch
		} else {
			choices = append(choices, ch)
		}
	}
	base = rec.Clone()
	for _, f := range customs {
		i := slices.IndexFunc(choices, func(c steward.FieldChoice) bool { return c.Field == f })
		rec.Set(f, choices[i].Value)
	}
	return rec, base, choices, customs, nil
}

// consentPolicy returns policy with every consent attribute any member
// holds (steward.Survivorship.IsConsent) set to most_restrictive: opting
// out survives every merge, whatever the rules file says.
func consentPolicy(members []*steward.Customer, policy steward.Survivorship) steward.Survivorship {
	out := policy
	out.Attributes = make(map[string]steward.FieldPolicy, len(policy.Attributes))
	for k, v := range policy.Attributes {
		out.Attributes[k] = v
	}
	for _, c := range members {
		for k := range c.Record.Attributes {
			if policy.IsConsent(k) {
				out.Attributes[k] = steward.FieldPolicy{Strategy: steward.MostRestrictive}
			}
		}
	}
	return out
}

// checkCustoms standardizes and validates the typed values of rec (the
// fields customs) as an import would: the record is checked with and
// without them, and an error the typed values bring refuses the merge
// (EINVALID naming the field), unless the rules store invalid records
// with a warning. rec gets the standardized values; the findings returned
// are the new ones.
func checkCustoms(p *gate.Policy, rec *steward.Record, base steward.Record, customs []string) ([]steward.Finding, error) {
	if len(customs) == 0 {
		return nil, nil
	}
	cand := rec.Clone()
	baseFs, _ := p.Check(&base)
	fs, _ := p.Check(&cand)
	known := make(map[string]bool, len(baseFs))
	for _, f := range baseFs {
		known[f.Field+"\x00"+f.Code] = true
	}
	var fresh []steward.Finding
	for _, f := range fs {
		if !known[f.Field+"\x00"+f.Code] {
			fresh = append(fresh, f)
		}
	}
	for _, f := range customs {
		// A value the rules leave out of an import (on_invalid:
		// drop_field) is refused here: the steward typed it to keep it.
		if typed := rec.Get(f); typed != "" && cand.Get(f) == "" {
			msg := fmt.Sprintf("%s %q is not valid.", f, typed)
			for _, fd := range fresh {
				if fd.Field == f {
					msg = strings.TrimSuffix(fd.Message, gate.DroppedNote)
				}
			}
			return nil, steward.FieldErrorf(steward.EINVALID, f, "%s The merge was not made; correct the value and try again.", msg)
		}
	}
	if steward.HasError(fresh) && p.OnInvalid == steward.InvalidReject {
		// The error of a value the steward typed comes first: the record
		// errors it causes (no valid contact left) follow from it.
		i := slices.IndexFunc(fresh, func(f steward.Finding) bool { return f.IsError() && slices.Contains(customs, f.Field) })
		if i < 0 {
			i = slices.IndexFunc(fresh, steward.Finding.IsError)
		}
		field := fresh[i].Field
		if field == "" {
			field = customs[0]
		}
		return nil, steward.FieldErrorf(steward.EINVALID, field, "%s", customMessage(fresh[i]))
	}
	for _, f := range customs {
		rec.Set(f, cand.Get(f))
	}
	return fresh, nil
}

// customMessage is a finding's message, told as a refused merge.
func customMessage(f steward.Finding) string {
	return fmt.Sprintf("%s The merge was not made; correct the value and try again.", strings.TrimSpace(f.Message))
}
