package sqlite_test

import (
	"testing"

	"github.com/steward-crm/steward/internal/store/storetest"
)

func BenchmarkReviewQueue(b *testing.B) {
	b.Run(storetest.ReviewQueueName(100000), func(b *testing.B) {
		storetest.BenchmarkReviewQueue(b, storetest.SQLite(b), 100000)
	})
}

func BenchmarkMerge(b *testing.B) {
	b.Run("members=5", func(b *testing.B) { storetest.BenchmarkMerge(b, storetest.SQLite(b), 5) })
}
