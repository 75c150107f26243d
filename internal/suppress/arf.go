package suppress

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// FeedbackReport is the body of an RFC 5965 message/feedback-report part:
// a mailbox provider's report that one of its users complained about a
// message (abuse), or of fraud, a virus, or that it was not spam.
type FeedbackReport struct {
	// FeedbackType is abuse, fraud, virus, other or not-spam, in lower
	// case.
	FeedbackType string
	UserAgent    string
	Version      string
	// OriginalMailFrom is the reported message's envelope sender, where
	// steward's VERP tokens ride.
	OriginalMailFrom string
	// OriginalRcptTo are the reported message's envelope recipients, when
	// the provider does not redact them.
	OriginalRcptTo []string
	ArrivalDate    time.Time
	ReportingMTA   string
	SourceIP       string
}

// ParseFeedbackReport reads a message/feedback-report body. Feedback-Type
// is required (RFC 5965 3.1); the other fields are read when present.
func ParseFeedbackReport(r io.Reader) (*FeedbackReport, error) {
	groups, err := readFieldGroups(r, "feedback report")
	if err != nil {
		return nil, err
	}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(groups[0])))
	if err != nil {
		return nil, fmt.Errorf("feedback report: %w", err)
	}
	fr := &FeedbackReport{
		FeedbackType:     strings.ToLower(strings.TrimSpace(stripComment(h.Get("Feedback-Type")))),
		UserAgent:        strings.TrimSpace(h.Get("User-Agent")),
		Version:          strings.TrimSpace(h.Get("Version")),
		OriginalMailFrom: angleAddress(h.Get("Original-Mail-From")),
		ArrivalDate:      parseDate(h.Get("Arrival-Date")),
		ReportingMTA:     typedValue(h.Get("Reporting-MTA")),
		SourceIP:         strings.TrimSpace(h.Get("Source-IP")),
	}
	if fr.FeedbackType == "" {
		return nil, errors.New("feedback report without Feedback-Type")
	}
	for _, v := range h.Values("Original-Rcpt-To") {
		if a := angleAddress(v); strings.Contains(a, "@") {
			fr.OriginalRcptTo = append(fr.OriginalRcptTo, a)
		}
	}
	return fr, nil
}

// angleAddress returns the address of "<ann@example.org>" or
// "ann@example.org", "" for the null path "<>".
func angleAddress(v string) string {
	v = strings.TrimSpace(stripComment(v))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	if strings.ContainsAny(v, " \t<>") {
		return ""
	}
	return v
}
