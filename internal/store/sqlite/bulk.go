package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// bulkRows is how many rows one multi-row INSERT carries: fewer statements
// is most of the speed of a batch, and 100 rows of the widest table stay far
// below SQLite's limit on bound parameters.
const bulkRows = 100

// bulkInsert writes rows into one table with multi-row INSERT statements,
// preparing the full-size statement once.
type bulkInsert struct {
	tx    *sql.Tx
	table string
	head  string // INSERT INTO t (cols) VALUES
	tuple string // (?, ?, …)
	ncol  int
	full  *sql.Stmt
	args  []any
	rows  int
}

func newBulkInsert(tx *sql.Tx, table string, cols ...string) *bulkInsert {
	return &bulkInsert{
		tx:    tx,
		table: table,
		head:  "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tuple: "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")",
		ncol:  len(cols),
		args:  make([]any, 0, bulkRows*len(cols)),
	}
}

func (b *bulkInsert) statement(rows int) string {
	var sb strings.Builder
	sb.Grow(len(b.head) + rows*(len(b.tuple)+2))
	sb.WriteString(b.head)
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.tuple)
	}
	return sb.String()
}

// add queues one row; its values must match the columns.
func (b *bulkInsert) add(ctx context.Context, values ...any) error {
	if len(values) != b.ncol {
		return fmt.Errorf("insert %s: %d values for %d columns", b.table, len(values), b.ncol)
	}
	b.args = append(b.args, values...)
	b.rows++
	if b.rows < bulkRows {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(ctx, b.statement(bulkRows))
		if err != nil {
			return fmt.Errorf("prepare insert %s: %w", b.table, err)
		}
		b.full = st
	}
	if _, err := b.full.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	b.rows = 0
	return nil
}

// flush writes the queued rows and releases the prepared statement.
func (b *bulkInsert) flush(ctx context.Context) error {
	if b.full != nil {
		defer b.full.Close()
		b.full = nil
	}
	if b.rows == 0 {
		return nil
	}
	if _, err := b.tx.ExecContext(ctx, b.statement(b.rows), b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	b.rows = 0
	return nil
}

// close releases the prepared statement without writing, after an error.
func (b *bulkInsert) close() {
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
}
