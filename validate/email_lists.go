package validate

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"
)

//go:embed data/email/disposable/disposable_email_blocklist.conf
var disposableData []byte

//go:embed data/email/free/domains.json
var freeData []byte

//go:embed data/email/role/roles.tsv
var roleData []byte

// Lists holds the domain and local-part lists behind the disposable, role
// and free-provider flags and the typo suggestions. It is read-only after
// construction and safe for concurrent use.
type Lists struct {
	disposable map[string]struct{}
	free       map[string]struct{}
	roles      map[string]string // local part → category
	providers  map[string]struct{}
	byName     map[string][]string // provider name ("gmail") → its domains
}

// providerDomains are the well-known mailbox providers that typo suggestions point
// to: the big international ones and the Iranian ones (Chmail, Mailfa,
// Bitamail). Only a domain on this list is ever suggested.
var providerDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
	"hotmail.com", "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com",
	"icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "zoho.com",
	"mail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "yandex.com",
	"qq.com", "163.com", "naver.com", "comcast.net", "att.net", "verizon.net", "orange.fr",
	"chmail.ir", "mailfa.com", "bitamail.ir",
}

// tldTypos maps top-level domains mistyped for .com (and a few others) to
// the intended one. Some are real TLDs (.co, .cm, .om); those are corrected
// only after a known provider's name.
var tldTypos = map[string]string{
	"con": "com", "cpm": "com", "vom": "com", "xom": "com", "comm": "com", "coom": "com",
	"cmo": "com", "ocm": "com", "cim": "com", "copm": "com", "c0m": "com", "cm": "com",
	"co": "com", "om": "com", "colm": "com", "comn": "com", "ner": "net", "nte": "net",
	"irr": "ir", "rr": "ir",
}

// realTLDTypos are the tldTypos keys that are real top-level domains.
var realTLDTypos = map[string]bool{"cm": true, "co": true, "om": true}

// extraFreeDomains are free-mail domains of real providers that the
// upstream list lacks: a provider's own country domains, which must never
// be "corrected" to its .com.
var extraFreeDomains = []string{"gmx.fr", "gmx.es", "gmx.co.uk", "gmx.us"}

// notRoles are local parts of the upstream role list that are common words,
// keyboard runs or years as often as shared mailboxes: a person's own
// address at a free provider (hello@, test@, user@) must not be flagged
// risky for them.
var notRoles = []string{
	"test", "email", "emails", "abc", "aaa", "asd", "asdasd", "asdf", "user", "users", "mail",
	"hello", "hi", "hola", "home", "family", "friends", "fun", "ladies", "me", "123",
}

// LoadLists parses the embedded lists: disposable domains (CC0), free
// providers (MIT, minus the disposable ones) and role-account local parts
// (MIT). They are parsed once per process and shared: a Lists is
// read-only and safe for concurrent use.
func LoadLists() (*Lists, error) { return sharedLists() }

var sharedLists = sync.OnceValues(parseLists)

func parseLists() (*Lists, error) {
	l := &Lists{
		disposable: make(map[string]struct{}, 9000),
		free:       make(map[string]struct{}, 14000),
		roles:      make(map[string]string, 1100),
		providers:  make(map[string]struct{}, len(providerDomains)),
		byName:     make(map[string][]string),
	}
	sc := bufio.NewScanner(bytes.NewReader(disposableData))
	for sc.Scan() {
		d := strings.ToLower(strings.TrimSpace(sc.Text()))
		if d != "" && !strings.HasPrefix(d, "#") {
			l.disposable[d] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read disposable list: %w", err)
	}
	var free []string
	if err := json.Unmarshal(freeData, &free); err != nil {
		return nil, fmt.Errorf("read free-provider list: %w", err)
	}
	for _, d := range append(free, extraFreeDomains...) {
		d = strings.ToLower(strings.TrimSpace(d))
		if _, ok := l.disposable[d]; !ok && d != "" {
			l.free[d] = struct{}{}
		}
	}
	sc = bufio.NewScanner(bytes.NewReader(roleData))
	first := true
	for sc.Scan() {
		if first { // header: local_part, category
			first = false
			continue
		}
		local, cat, _ := strings.Cut(sc.Text(), "\t")
		if local = strings.ToLower(strings.TrimSpace(local)); local != "" {
			l.roles[local] = strings.TrimSpace(cat)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read role list: %w", err)
	}
	for _, w := range notRoles {
		delete(l.roles, w)
	}
	for y := 2000; y <= 2039; y++ {
		delete(l.roles, strconv.Itoa(y))
	}
	for _, p := range providerDomains {
		l.providers[p] = struct{}{}
		name, _, _ := strings.Cut(p, ".")
		l.byName[name] = append(l.byName[name], p)
	}
	return l, nil
}

// Disposable reports whether domain (ASCII form, any case) or one of its
// parents up to its registrable domain (public suffix plus one label) is a
// disposable-mail domain: "x.mailinator.com" is disposable because
// "mailinator.com" is.
func (l *Lists) Disposable(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if _, ok := l.disposable[d]; ok {
		return true
	}
	reg, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return false
	}
	for d != reg {
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			return false
		}
		d = rest
		if _, ok := l.disposable[d]; ok {
			return true
		}
	}
	return false
}

// Free reports whether domain belongs to a free mailbox provider (gmail.com,
// yahoo.com …) that is not disposable.
func (l *Lists) Free(domain string) bool {
	_, ok := l.free[strings.ToLower(domain)]
	return ok
}

// Role returns the category of a role-account local part (info, sales,
// noreply …) and whether it is one. The part after a +tag is ignored and
// case does not matter: "Sales+eu" is a role account.
func (l *Lists) Role(local string) (string, bool) {
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	cat, ok := l.roles[strings.ToLower(local)]
	return cat, ok
}

// Suggest returns a well-known provider domain that domain is probably a
// typo of ("gmial.com" → "gmail.com", "yahoo.con" → "yahoo.com"), or "" when
// there is none or more than one equally likely. A domain that is itself a
// provider, or another real free-mail domain, gets no suggestion except
// for a provider name with a mistyped .com ("hotmail.co").
func (l *Lists) Suggest(domain string) string {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	if _, ok := l.providers[d]; ok {
		return ""
	}
	name, suffix, ok := strings.Cut(d, ".")
	if !ok {
		return ""
	}
	// A free provider's real domain (gmx.de, hotmail.de) is no typo. A
	// disposable one may be: typo-squatters register gmial.com.
	_, known := l.free[d]
	// A provider's name with a mistyped or foreign suffix.
	if same := l.byName[name]; len(same) > 0 {
		if fixed, ok := tldTypos[suffix]; ok {
			if _, ok := l.providers[name+"."+fixed]; ok {
				return name + "." + fixed
			}
		}
		if known {
			return ""
		}
		if _, ok := l.providers[name+".com"]; ok {
			return name + ".com"
		}
		if len(same) == 1 {
			return same[0]
		}
		return ""
	}
	if known {
		return ""
	}
	// A mistyped .com that is no real top-level domain, corrected before
	// the provider's name is looked at: gnail.con is gmail.com, not
	// gnail.com.
	fixedTLD := ""
	if k := strings.LastIndexByte(d, '.'); k >= 0 {
		if fixed, ok := tldTypos[d[k+1:]]; ok && !realTLDTypos[d[k+1:]] {
			fixedTLD = d[:k+1] + fixed
			if _, ok := l.providers[fixedTLD]; ok {
				return fixedTLD
			}
		}
	}
	// One edit (insertion, deletion, substitution or transposition) away
	// from exactly one provider, with the top-level domain as written or
	// corrected.
	for _, c := range [2]string{d, fixedTLD} {
		if c == "" {
			continue
		}
		if p := l.oneEditProvider(c); p != "" {
			return p
		}
	}
	return fixedTLD
}

// oneEditProvider returns the provider domain one edit from d, or "" when
// there is none or more than one.
func (l *Lists) oneEditProvider(d string) string {
	best, count := "", 0
	for _, p := range providerDomains {
		if abs(len(p)-len(d)) > 1 || strings.IndexByte(p, '.') < 4 {
			continue // short names (me.com, aol.com) are one edit from too much
		}
		if damerau(d, p) == 1 {
			best = p
			count++
		}
	}
	if count == 1 {
		return best
	}
	return ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// damerau returns the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent bytes
// each cost one.
func damerau(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
