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
	// (with or without warnings); the shares of a job split across
	// instances ("standardize#1-50000") are not jobs of their own here.
	LastSuccess map[string]time.Time
	// MaxCustomerID is the greatest customer id there is (0 for none):
	// work is split into shares by id range up to it.
	MaxCustomerID int64
}

// StatsStore reads Stats.
type StatsStore interface {
	// Stats returns the database's figures at this moment.
	Stats(ctx context.Context) (*Stats, error)
}
