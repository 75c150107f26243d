package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
)

// customerETag is a customer's version as an entity tag.
func customerETag(c *steward.Customer) string { return `"c` + strconv.FormatInt(c.Version, 10) + `"` }

// mergeETag is a merge's version as an entity tag.
func mergeETag(m *steward.Merge) string { return `"m` + strconv.FormatInt(m.Version, 10) + `"` }

// suggestionETag tags what a steward deciding a suggestion saw: its status
// and the version of every member, so that a member changed since (an
// import, another steward's merge) makes the decision a conflict.
func suggestionETag(sg *steward.Suggestion, members []*steward.Customer) string {
	var b strings.Builder
	b.WriteString(`"s`)
	b.WriteString(string(sg.Status))
	for _, c := range members {
		b.WriteByte('-')
		b.WriteString(strconv.FormatInt(c.ID, 10))
		b.WriteByte('.')
		b.WriteString(strconv.FormatInt(c.Version, 10))
	}
	b.WriteByte('"')
	return b.String()
}

// ifMatch returns the If-Match header's tag ("" when absent or "*").
func ifMatch(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "*" {
		return ""
	}
	return strings.TrimPrefix(v, "W/")
}

// versionOf reads a version from an entity tag with prefix ("c", "m"):
// 0 for no tag, EMALFORMED for one that is not such a tag.
func versionOf(tag, prefix string) (int64, error) {
	if tag == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.TrimPrefix(strings.Trim(tag, `"`), prefix), 10, 64)
	if err != nil || !strings.HasPrefix(strings.Trim(tag, `"`), prefix) || v <= 0 {
		return 0, steward.FieldErrorf(steward.EMALFORMED, "If-Match", "If-Match %s is not a tag this resource gave; send the ETag of your last read.", tag)
	}
	return v, nil
}

// staleTag is the ECONFLICT of an If-Match that no longer matches.
func staleTag(what string, have, now string) *steward.Error {
	return steward.Errorf(steward.ECONFLICT, "%s changed since you read it (it is %s now, you sent %s); reload it and try again.", what, now, have)
}
