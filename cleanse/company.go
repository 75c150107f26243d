package cleanse

import "strings"

// RuleCompanyForm names the rule that writes a company's legal form in one
// spelling ("Acme incorporated" → "Acme Inc").
const RuleCompanyForm = "company.legal-form"

// Company standardizes a company name: Text, then the legal form at its
// end written in one spelling: Inc,
// Corp, Co, LLC, Ltd, PLC, LLP, LP, Pty Ltd, GmbH, AG, SA, SARL, SAS, SRL,
// SpA, BV, NV, AB, AS, Oy, Sdn Bhd, سهامی خاص، سهامی عام، با مسئولیت
// محدود، تعاونی، تضامنی … ("Acme, Incorporated" → "Acme Inc", "Müller
// G.m.b.H." → "Müller GmbH"). The comma before a legal form is dropped;
// parentheses around a Persian form are kept. Forms known only from the
// upstream list (no curated spelling) and the rest of the name are kept as
// written: company names are cased on purpose.
func Company(s string) (string, []Fix) {
	var f fixes
	s, tf := Text(s)
	f = append(f, tf...)
	if s == "" {
		return s, f
	}
	s = f.step(RuleCompanyForm, s, companyForm(s))
	return s, f
}

func companyForm(s string) string {
	t := loadCompanyForms()
	words := strings.Split(s, " ")
	// The last legal form only ("Widgets Pty. Ltd." is one two-word
	// form): in "The Widget Company Pty Ltd" the word Company is part of
	// the name.
	end := len(words)
	var tail []string
	for end > 1 && len(tail) == 0 {
		last := MatchKey(words[end-1])
		if !t.lastWords[last[strings.LastIndexByte(last, ' ')+1:]] {
			break
		}
		found := false
		for n := min(t.maxWords, end-1); n >= 1; n-- {
			phrase := strings.Join(words[end-n:end], " ")
			open, close := "", ""
			inner := phrase
			if strings.HasPrefix(inner, "(") && strings.HasSuffix(inner, ")") {
				open, close, inner = "(", ")", inner[1:len(inner)-1]
			}
			canon, ok := t.byKey[MatchKey(inner)]
			if !ok || MatchKey(inner) == "" {
				continue
			}
			if canon == "" {
				canon = inner
			}
			if canon == "Co" && n > 1 && (words[end-n] == "&" || strings.EqualFold(words[end-n], "and")) {
				canon = "& Co"
			}
			tail = append([]string{open + canon + close}, tail...)
			end -= n
			found = true
			break
		}
		if !found {
			break
		}
	}
	if len(tail) == 0 {
		return s
	}
	head := strings.Join(words[:end], " ")
	head = strings.TrimRight(head, ", ")
	if head == "" {
		return s
	}
	return head + " " + strings.Join(tail, " ")
}
