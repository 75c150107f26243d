package storetest

import (
	"context"
	"testing"

	"github.com/steward-crm/steward"
)

// Migrator is implemented by stores that apply their own schema; Run checks
// that migrating an up-to-date store changes nothing.
type Migrator interface {
	Migrate(ctx context.Context) ([]string, error)
}

// Run runs the conformance suite against the databases open returns
// (SQLiteDatabase, PostgresDatabase). open must return a new, empty,
// migrated database for each call and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) *Database) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s steward.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"NotFound", testNotFound},
		{"CreateAudit", testCreateAudit},
		{"CustomerBySource", testCustomerBySource},
		{"UpdateAudit", testUpdateAudit},
		{"UpdateNothing", testUpdateNothing},
		{"OptimisticLocking", testOptimisticLocking},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"AtomicCommit", testAtomicCommit},
		{"AtomicRollback", testAtomicRollback},
		{"AtomicPanic", testAtomicPanic},
		{"AtomicNested", testAtomicNested},
		{"AtomicFailedCallKeepsTransaction", testAtomicFailedCall},
		{"BatchCreate", testBatchCreate},
		{"BatchConflict", testBatchConflict},
		{"EachCustomer", testEachCustomer},
		{"EachCustomerWrites", testEachCustomerWrites},
		{"CountAndAttributeNames", testCountAndAttributeNames},
		{"SuggestionUpsert", testSuggestionUpsert},
		{"SuggestionOrder", testSuggestionOrder},
		{"SuggestionStatus", testSuggestionStatus},
		{"NotDuplicate", testNotDuplicate},
		{"JobRunLifecycle", testJobRunLifecycle},
		{"JobRunOverlap", testJobRunOverlap},
		{"JobRunAbandon", testJobRunAbandon},
		{"JobRunWarnings", testJobRunWarnings},
		{"EmailChecks", testEmailChecks},
		{"Models", testModels},
		{"Snapshots", testSnapshots},
		{"CurrentEmailChecks", testCurrentEmailChecks},
		{"Suppressions", testSuppressions},
		{"InboundMail", testInboundMail},
		{"EraseCustomer", testEraseCustomer},
		{"Imports", testImports},
		{"HeldCustomer", testHeldCustomer},
		{"MigrateTwice", testMigrateTwice},
		{"Generation", testGeneration},
		{"CustomerIDsBySource", testCustomerIDsBySource},
		{"UpsertSuggestions", testUpsertSuggestions},
		{"AllOrNothingDoomed", testAllOrNothingDoomed},
		{"TxOptionsRefused", testTxOptionsRefused},
		{"Exclusive", testExclusive},
		{"ExclusiveReleased", testExclusiveReleased},
		{"MergeRecords", testMergeRecords},
		{"SourceRefs", testSourceRefs},
		{"NotDuplicateCleared", testNotDuplicateCleared},
		{"MergeCustomers", testMergeCustomers},
		{"MergeUndo", testMergeUndo},
		{"MergeUndoKeepsLaterChanges", testMergeUndoKeepsLaterChanges},
		{"MergeTakeOut", testMergeTakeOut},
		{"Decisions", testDecisions},
		{"MergeRace", testMergeRace},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"Audit", testAudit},
		{"SuggestionFilters", testSuggestionFilters},
		{"Claims", testClaims},
		{"JobRunsList", testJobRunsList},
		{"ScheduleRuns", testScheduleRuns},
		{"ScheduleRunStale", testScheduleRunStale},
		{"ScheduleRunTakeOver", testScheduleRunTakeOver},
		{"ScheduleClaimRace", testScheduleClaimRace},
		{"SchedulePauses", testSchedulePauses},
		{"Stats", testStats},
		{"ChangeMarks", testChangeMarks},
		{"ChangeMarkOpenWriter", testChangeMarkOpenWriter},
		{"EmailsToCheckChanged", testEmailsToCheckChanged},
		{"JobRunChanges", testJobRunChanges},
		{"PruneCustomerChanges", testPruneCustomerChanges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t).Store)
		})
	}
	// Tests of one database seen by two processes, or through SQL.
	dbTests := []struct {
		name string
		fn   func(t *testing.T, db *Database)
	}{
		{"ExclusiveAcrossProcesses", testExclusiveAcrossProcesses},
		{"EvidenceMigration", testEvidenceMigration},
		{"MergeRaceAcrossProcesses", testMergeRaceAcrossProcesses},
	}
	for _, tt := range dbTests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
	t.Run("GenerationPerDatabase", func(t *testing.T) {
		testGenerationPerDatabase(t, open(t).Store, open(t).Store)
	})
	t.Run("AllOrNothingSame", func(t *testing.T) {
		testAllOrNothingSame(t, open(t).Store, open(t).Store)
	})
}

var meta = steward.Meta{Actor: "tester", Cause: "test"}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := steward.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %s), want code %s", err, got, code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testNotFound(t *testing.T, s steward.Store) {
	ctx := context.Background()
	_, err := s.Customer(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.CustomerBySource(ctx, "shop", "nope")
	wantCode(t, err, steward.ENOTFOUND)
	wantCode(t, s.UpdateCustomer(ctx, &steward.Customer{ID: 424242, Version: 1, Status: steward.StatusActive}, meta), steward.ENOTFOUND)
	_, err = s.Suggestion(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.JobRun(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.LastJobRun(ctx, "never")
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.EmailCheck(ctx, 424242, "a@example.com")
	wantCode(t, err, steward.ENOTFOUND)
	changes, err := s.Changes(ctx, 424242)
	must(t, err)
	if len(changes) != 0 {
		t.Errorf("changes of a missing customer = %v", changes)
	}
}
