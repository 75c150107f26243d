package steward

import (
	"context"
	"time"
)

// Stats are the figures of the whole database that /metrics reports: the
// same from every instance, read when scraped.
type Stats struct {
	// PendingSuggestions are merge suggestions waiting for a steward.
	PendingSuggestions int64
	// Imports counts the recorded imports by status (committed, failed).
	Imports map[string]int64
	// ImportRows and ImportRejected sum the rows read and rejected by
	// the recorded imports.
	ImportRows, ImportRejected int64
	// LastSuccess is, per job, the end of its latest run that succeeded
	// (with or without warnings).
	LastSuccess map[string]time.Time
}

// StatsStore reads Stats.
type StatsStore interface {
	// Stats returns the database's figures at this moment.
	Stats(ctx context.Context) (*Stats, error)
}
