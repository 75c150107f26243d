package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/pages"
)

// customerColumns are the customers table's columns in the order
// scanCustomer uses.
var customerColumns = append([]string{"id", "status", "merged_into", "version", "source", "source_id"},
	append(steward.CanonicalFields(), "attributes", "created_at", "updated_at")...)

var selectCustomer = "SELECT " + strings.Join(customerColumns, ", ") + " FROM customers"

// Statements prepared once per database (see preparedQueries).
var (
	queryCustomerByID   = selectCustomer + " WHERE id = ?"
	queryUpdateCustomer = `UPDATE customers SET status = ?, merged_into = ?, version = version + 1,
		first_name = ?, last_name = ?, company = ?, email = ?, phone = ?,
		address_line1 = ?, address_line2 = ?, city = ?, region = ?, postal_code = ?,
		country = ?, birth_date = ?, national_id = ?, attributes = ?, updated_at = ?,
		change_seq = ` + nextChangeSeq + `
		WHERE id = ? AND version = ?`
	queryInsertChange = `INSERT INTO changes (customer_id, at, actor, field, before_value, after_value, cause)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	queryLastCustomerID = `SELECT COALESCE(MAX(id), 0) FROM customers`
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanCustomer(sc scanner) (*steward.Customer, error) {
	var (
		c                       steward.Customer
		merged                  sql.NullInt64
		attrs, created, updated string
		r                       = &c.Record
	)
	if err := sc.Scan(&c.ID, &c.Status, &merged, &c.Version, &r.Source, &r.SourceID,
		&r.FirstName, &r.LastName, &r.Company, &r.Email, &r.Phone,
		&r.AddressLine1, &r.AddressLine2, &r.City, &r.Region, &r.PostalCode,
		&r.Country, &r.BirthDate, &r.NationalID,
		&attrs, &created, &updated); err != nil {
		return nil, err
	}
	c.MergedInto = merged.Int64
	var err error
	if r.Attributes, err = decodeAttributes(attrs); err != nil {
		return nil, fmt.Errorf("customer %d: %w", c.ID, err)
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &c, nil
}

func encodeAttributes(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode attributes: %w", err)
	}
	return string(b), nil
}

func decodeAttributes(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode attributes: %w", err)
	}
	return m, nil
}

// CreateCustomer implements steward.CustomerStore.
func (s *Store) CreateCustomer(ctx context.Context, c *steward.Customer, m steward.Meta) error {
	return s.CreateCustomers(ctx, []*steward.Customer{c}, m)
}

// CreateCustomers implements steward.CustomerStore in one transaction:
// multi-row inserts through a statement prepared once, then one statement
// that links the new customers' source records.
func (s *Store) CreateCustomers(ctx context.Context, cs []*steward.Customer, m steward.Meta) error {
	if len(cs) == 0 {
		return nil
	}
	if err := steward.CheckNewCustomers(cs); err != nil {
		return err
	}
	now := s.now()
	ids := make([]int64, len(cs))
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		s.wroteCustomers(ctx)
		var last int64
		if err := s.prepared(ctx, queryLastCustomerID).QueryRowContext(ctx).Scan(&last); err != nil {
			return fmt.Errorf("next customer id: %w", err)
		}
		for i := range ids {
			ids[i] = last + int64(i) + 1
		}
		if err := s.insertCustomers(ctx, tx, cs, ids[0], [3]any{formatTime(now), m.Actor, m.Cause}); err != nil {
			return missingMergeTarget(err)
		}
		return sourceConflict(s.insertSourceRefs(ctx, cs, ids), cs)
	})
	if err != nil {
		return fmt.Errorf("create customers: %w", err)
	}
	for i, c := range cs {
		c.ID, c.Version, c.CreatedAt, c.UpdatedAt = ids[i], 1, now, now
		if c.Status == "" {
			c.Status = steward.StatusActive
		}
	}
	return nil
}

// missingMergeTarget turns a foreign key violation on customers into
// ENOTFOUND: the only foreign key there is merged_into.
func missingMergeTarget(err error) error {
	if isForeignKey(err) {
		return steward.Errorf(steward.ENOTFOUND, "A customer is merged into a customer that does not exist.")
	}
	return err
}

// sourceConflict turns a unique violation on source_refs into ECONFLICT.
func sourceConflict(err error, cs []*steward.Customer) error {
	if err == nil || !isUnique(err) {
		return err
	}
	if len(cs) == 1 {
		return steward.Errorf(steward.ECONFLICT, "Source record %s/%s already belongs to a customer.",
			cs[0].Record.Source, cs[0].Record.SourceID)
	}
	return steward.Errorf(steward.ECONFLICT, "A source record of the batch already belongs to a customer.")
}

// Customer implements steward.CustomerStore.
func (s *Store) Customer(ctx context.Context, id int64) (*steward.Customer, error) {
	c, err := scanCustomer(s.prepared(ctx, queryCustomerByID).QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get customer %d: %w", id, err)
	}
	return c, nil
}

// CustomerBySource implements steward.CustomerStore.
func (s *Store) CustomerBySource(ctx context.Context, source, sourceID string) (*steward.Customer, error) {
	c, err := scanCustomer(s.read(ctx).QueryRowContext(ctx, selectCustomer+
		" WHERE id = (SELECT customer_id FROM source_refs WHERE source = ? AND source_id = ?)", source, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No customer comes from source record %s/%s.", source, sourceID)
	}
	if err != nil {
		return nil, fmt.Errorf("get customer by source: %w", err)
	}
	return c, nil
}

// UpdateCustomer implements steward.CustomerStore.
func (s *Store) UpdateCustomer(ctx context.Context, c *steward.Customer, m steward.Meta) error {
	if err := steward.CheckStatus(c.Status); err != nil {
		return err
	}
	attrs, err := encodeAttributes(c.Record.Attributes)
	if err != nil {
		return err
	}
	var stored *steward.Customer
	now := s.now()
	changed := false
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		old, err := scanCustomer(s.prepared(ctx, queryCustomerByID).QueryRowContext(ctx, c.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", c.ID)
		}
		if err != nil {
			return fmt.Errorf("read customer: %w", err)
		}
		stored = old
		if old.Version != c.Version {
			return steward.StaleVersion(c.ID, c.Version, old.Version)
		}
		diff := steward.CustomerDiff(old, c)
		if len(diff) == 0 {
			return nil
		}
		var merged any
		if c.MergedInto != 0 {
			merged = c.MergedInto
		}
		r := &c.Record
		s.wroteCustomers(ctx)
		res, err := s.prepared(ctx, queryUpdateCustomer).ExecContext(ctx,
			string(c.Status), merged,
			r.FirstName, r.LastName, r.Company, r.Email, r.Phone,
			r.AddressLine1, r.AddressLine2, r.City, r.Region, r.PostalCode,
			r.Country, r.BirthDate, r.NationalID, attrs, formatTime(now),
			c.ID, c.Version)
		if err != nil {
			if isForeignKey(err) {
				return steward.Errorf(steward.ENOTFOUND, "Customer %d, to merge into, does not exist.", c.MergedInto)
			}
			return fmt.Errorf("update customer: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update customer: %w", err)
		} else if n != 1 {
			return steward.StaleVersion(c.ID, c.Version, old.Version)
		}
		insert := s.prepared(ctx, queryInsertChange)
		for _, d := range diff {
			if _, err := insert.ExecContext(ctx, c.ID, formatTime(now), m.Actor, d.Field, d.Before, d.After, m.Cause); err != nil {
				return fmt.Errorf("insert change: %w", err)
			}
		}
		changed = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	c.Record.Source, c.Record.SourceID = stored.Record.Source, stored.Record.SourceID
	c.CreatedAt = stored.CreatedAt
	if changed {
		c.Version++
		c.UpdatedAt = now
	}
	return nil
}

// eachPage is how many customers EachCustomer reads per query.
const eachPage = 1000

// EachCustomer implements steward.CustomerStore with keyset pagination:
// each page is one query that is finished before fn sees its customers, so
// fn may write. Outside a transaction the next page is read on another
// reader connection while fn works.
func (s *Store) EachCustomer(ctx context.Context, f steward.CustomerFilter, fn func(*steward.Customer) error) error {
	q := s.read(ctx)
	where, extra := "", []any{}
	if f.Status != "" {
		where, extra = " AND status = ?", append(extra, string(f.Status))
	}
	if f.IDs != nil {
		ids, err := json.Marshal(f.IDs)
		if err != nil {
			return err
		}
		where, extra = where+" AND id IN (SELECT value FROM json_each(?))", append(extra, string(ids))
	}
	if f.ThroughID > 0 {
		where, extra = where+" AND id <= ?", append(extra, f.ThroughID)
	}
	if f.ChangedSince > 0 {
		// A filter on the id-ordered scan, not a subquery through the
		// change_seq index: SQLite builds such a subquery's whole result
		// for every page, so a run over many changed customers (after a
		// bulk import) took time quadratic in their number (105 s against
		// 4 s for 195,725); the scan reads each customer once a run.
		where, extra = where+" AND change_seq >= ?", append(extra, f.ChangedSince)
	}
	query := selectCustomer + " WHERE id > ?" + where + " ORDER BY id LIMIT ?"
	read := func(ctx context.Context, after int64, n int) ([]*steward.Customer, error) {
		args := append(append([]any{after}, extra...), n)
		cs, err := queryCustomers(ctx, q, query, args...)
		if err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		return cs, nil
	}
	return pages.Each(ctx, f, eachPage, s.txOf(ctx) == nil, read, fn)
}

func queryCustomers(ctx context.Context, q querier, query string, args ...any) ([]*steward.Customer, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []*steward.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// CountCustomers implements steward.CustomerStore.
func (s *Store) CountCustomers(ctx context.Context, status steward.Status) (int64, error) {
	q, args := `SELECT count(*) FROM customers`, []any{}
	if status != "" {
		q += ` WHERE status = ?`
		args = append(args, string(status))
	}
	var n int64
	if err := s.read(ctx).QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
}

// AttributeNames implements steward.CustomerStore.
func (s *Store) AttributeNames(ctx context.Context, status steward.Status) ([]string, error) {
	q := `SELECT DISTINCT a.key FROM customers c, json_each(c.attributes) a WHERE c.attributes <> '{}'`
	var args []any
	if status != "" {
		q += ` AND c.status = ?`
		args = append(args, string(status))
	}
	rows, err := s.read(ctx).QueryContext(ctx, q+` ORDER BY a.key`, args...)
	if err != nil {
		return nil, fmt.Errorf("list attribute names: %w", err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("list attribute names: %w", err)
		}
		names = append(names, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list attribute names: %w", err)
	}
	return names, nil
}

// Changes implements steward.CustomerStore: the recorded changes of
// updates, preceded by the creation entries derived from them (see
// steward.CreationChanges).
func (s *Store) Changes(ctx context.Context, customerID int64) ([]steward.Change, error) {
	q := s.read(ctx)
	c, err := scanCustomer(q.QueryRowContext(ctx, selectCustomer+" WHERE id = ?", customerID))
	if errors.Is(err, sql.ErrNoRows) {
		return []steward.Change{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	var actor, cause string
	if err := q.QueryRowContext(ctx, `SELECT created_by, created_cause FROM customers WHERE id = ?`,
		customerID).Scan(&actor, &cause); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, at, actor, field, before_value, after_value, cause
		FROM changes WHERE customer_id = ? ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	var later []steward.Change
	for rows.Next() {
		var ch steward.Change
		var at string
		if err := rows.Scan(&ch.ID, &ch.CustomerID, &at, &ch.Actor, &ch.Field, &ch.Before, &ch.After, &ch.Cause); err != nil {
			return nil, fmt.Errorf("list changes: %w", err)
		}
		if ch.At, err = parseTime(at); err != nil {
			return nil, err
		}
		later = append(later, ch)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return append(steward.CreationChanges(c, actor, cause, later), later...), nil
}
