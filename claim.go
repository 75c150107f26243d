package steward

import (
	"context"
	"time"
)

// Claim says that a steward took a suggestion to review, so that other
// stewards' queues pass it by until the claim expires: two stewards do
// not work the same cluster.
type Claim struct {
	SuggestionID int64     `json:"suggestion_id"`
	By           string    `json:"by"`
	At           time.Time `json:"at"`
	Until        time.Time `json:"until"`
}

// ClaimStore keeps who reviews which suggestion.
type ClaimStore interface {
	// ClaimSuggestion claims suggestion id for user from now until the
	// time given, unless another user holds a claim of it that is live
	// at now; it reports whether user holds the claim afterwards (a
	// claim of user's own is extended). ENOTFOUND for no such
	// suggestion.
	ClaimSuggestion(ctx context.Context, id int64, user string, now, until time.Time) (bool, error)
	// SuggestionClaims returns the claims of the suggestions ids that are
	// live at now, by suggestion id.
	SuggestionClaims(ctx context.Context, ids []int64, now time.Time) (map[int64]Claim, error)
	// ReleaseClaims ends every claim of user and returns how many were
	// live at now.
	ReleaseClaims(ctx context.Context, user string, now time.Time) (int64, error)
}
