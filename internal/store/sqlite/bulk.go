package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/steward-crm/steward"
)

// customersPerInsert is how many customers one multi-row INSERT carries:
// fewer statements is most of the speed of a batch, and the full-size
// statement is prepared once per database.
const customersPerInsert = 100

// rowColumns are the columns of customers whose values differ per row of
// a batch, in the order rowValues appends them.
var rowColumns = append([]string{"id", "status", "merged_into", "source", "source_id"},
	append(steward.CanonicalFields(), "attributes")...)

// insertCustomersSQL returns the INSERT of rows customers, each taking
// the values of rowColumns and then created_at, updated_at, created_by and
// created_cause; the version of a new customer is 1, its change_seq
// nextChangeSeq. Parameters are
// anonymous: the driver looks up every numbered parameter's name, in time
// linear in their number.
func insertCustomersSQL(rows int) string {
	tuple := "(" + strings.Repeat("?, ", len(rowColumns)) + "1, ?, ?, ?, ?, " + nextChangeSeq + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO customers (" + strings.Join(rowColumns, ", ") +
		", version, created_at, updated_at, created_by, created_cause, change_seq) VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// queryInsertCustomers is the full-size insert, prepared once (see
// writerQueries).
var queryInsertCustomers = insertCustomersSQL(customersPerInsert)

// queryInsertSourceRefs links the source records of the customers with ids
// from the first to the second parameter, just created, to them.
const queryInsertSourceRefs = `INSERT INTO source_refs (source, source_id, customer_id)
	SELECT source, source_id, id FROM customers
	WHERE id BETWEEN ? AND ? AND source <> '' AND source_id <> ''`

// queryInsertSourceRef links one source record, for rowByRow.
const queryInsertSourceRef = `INSERT INTO source_refs (source, source_id, customer_id) VALUES (?, ?, ?)`

// insertSourceRefs links the source records of cs, just created with ids,
// to them: with one statement, or one per record (rowByRow).
func (s *Store) insertSourceRefs(ctx context.Context, cs []*steward.Customer, ids []int64) error {
	if !s.rowByRow(ctx) {
		if _, err := s.prepared(ctx, queryInsertSourceRefs).ExecContext(ctx, ids[0], ids[len(ids)-1]); err != nil {
			return fmt.Errorf("insert source references: %w", err)
		}
		return nil
	}
	insert := s.prepared(ctx, queryInsertSourceRef)
	for i, c := range cs {
		if r := &c.Record; r.Source != "" && r.SourceID != "" {
			if _, err := insert.ExecContext(ctx, r.Source, r.SourceID, ids[i]); err != nil {
				return fmt.Errorf("insert source references: %w", err)
			}
		}
	}
	return nil
}

// rowValues appends the values of c, to be created with id, in rowColumns
// order, then the shared values (time and creator).
func rowValues(args []any, c *steward.Customer, id int64, attrs string, shared [3]any) []any {
	r := &c.Record
	var merged any
	if c.MergedInto != 0 {
		merged = c.MergedInto
	}
	status := c.Status
	if status == "" {
		status = steward.StatusActive
	}
	return append(args, id, string(status), merged, r.Source, r.SourceID,
		r.FirstName, r.LastName, r.Company, r.Email, r.Phone,
		r.AddressLine1, r.AddressLine2, r.City, r.Region, r.PostalCode,
		r.Country, r.BirthDate, r.NationalID, attrs, shared[0], shared[0], shared[1], shared[2])
}

// insertCustomers inserts cs with ids first, first+1, … in the write
// transaction ctx joins: full-size chunks through the prepared statement,
// the rest with one statement of its own size.
func (s *Store) insertCustomers(ctx context.Context, tx *sql.Tx, cs []*steward.Customer, first int64, shared [3]any) error {
	full := s.prepared(ctx, queryInsertCustomers)
	args := make([]any, 0, customersPerInsert*(len(rowColumns)+4))
	for start := 0; start < len(cs); start += customersPerInsert {
		chunk := cs[start:min(start+customersPerInsert, len(cs))]
		args = args[:0]
		for i, c := range chunk {
			attrs, err := encodeAttributes(c.Record.Attributes)
			if err != nil {
				return err
			}
			args = rowValues(args, c, first+int64(start+i), attrs, shared)
		}
		var err error
		if len(chunk) == customersPerInsert {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertCustomersSQL(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("insert customers: %w", err)
		}
	}
	return nil
}
