package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/pages"
)

// customerColumns are the customers table's columns in the order
// scanCustomer and customerValues use.
var customerColumns = append([]string{"id", "status", "merged_into", "version", "source", "source_id"},
	append(steward.CanonicalFields(), "attributes", "created_at", "updated_at")...)

var selectCustomer = "SELECT " + strings.Join(customerColumns, ", ") + " FROM customers"

// insertColumns are customerColumns and the creator, which only Changes
// reads.
var insertColumns = append(slices.Clone(customerColumns), "created_by", "created_cause")

func scanCustomer(row pgx.Row) (*steward.Customer, error) {
	var (
		c      steward.Customer
		merged *int64
		attrs  map[string]string
		r      = &c.Record
	)
	if err := row.Scan(&c.ID, &c.Status, &merged, &c.Version, &r.Source, &r.SourceID,
		&r.FirstName, &r.LastName, &r.Company, &r.Email, &r.Phone,
		&r.AddressLine1, &r.AddressLine2, &r.City, &r.Region, &r.PostalCode,
		&r.Country, &r.BirthDate, &r.NationalID,
		&attrs, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	if merged != nil {
		c.MergedInto = *merged
	}
	if len(attrs) > 0 {
		r.Attributes = attrs
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// copyCustomers is the COPY statement customerRow writes rows for.
var copyCustomers = "COPY customers (" + strings.Join(insertColumns, ", ") + ") FROM STDIN (FORMAT binary)"

// customerRow writes a new customer's row of insertColumns, with id,
// status, version 1 and both times now, to cp.
func customerRow(cp *binaryCopy, c *steward.Customer, id int64, status steward.Status, now time.Time, m steward.Meta) error {
	r := &c.Record
	cp.row(len(insertColumns))
	cp.int8(id)
	cp.text(string(status))
	cp.int8OrNull(c.MergedInto)
	cp.int8(1)
	for _, s := range [...]string{r.Source, r.SourceID,
		r.FirstName, r.LastName, r.Company, r.Email, r.Phone,
		r.AddressLine1, r.AddressLine2, r.City, r.Region, r.PostalCode,
		r.Country, r.BirthDate, r.NationalID} {
		cp.text(s)
	}
	if len(r.Attributes) == 0 {
		cp.jsonb([]byte("{}"))
	} else {
		doc, err := json.Marshal(r.Attributes)
		if err != nil {
			return fmt.Errorf("customer attributes: %w", err)
		}
		cp.jsonb(doc)
	}
	cp.timestamptz(now)
	cp.timestamptz(now)
	cp.text(m.Actor)
	cp.text(m.Cause)
	return nil
}

// CreateCustomer implements steward.CustomerStore.
func (s *Store) CreateCustomer(ctx context.Context, c *steward.Customer, m steward.Meta) error {
	return s.CreateCustomers(ctx, []*steward.Customer{c}, m)
}

// CreateCustomers implements steward.CustomerStore: ids come from the
// identity sequence in one query, then customers and source references
// each go in with one COPY. Creation is not written to changes; Changes
// derives it.
func (s *Store) CreateCustomers(ctx context.Context, cs []*steward.Customer, m steward.Meta) error {
	if len(cs) == 0 {
		return nil
	}
	if err := steward.CheckNewCustomers(cs); err != nil {
		return err
	}
	nrefs := 0
	for _, c := range cs {
		if c.Record.Source != "" && c.Record.SourceID != "" {
			nrefs++
		}
	}
	now := s.now()
	var ids []int64
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		s.wroteCustomers(ctx)
		// One row of ids, and the sequence looked up once (an InitPlan):
		// a row per id, each looking the sequence up again, cost five
		// times as much.
		if err := tx.QueryRow(ctx, `SELECT array_agg(nextval((SELECT pg_get_serial_sequence('customers', 'id'))::regclass))
			FROM generate_series(1, $1)`, len(cs)).Scan(&ids); err != nil {
			return fmt.Errorf("allocate customer ids: %w", err)
		}
		cp := newBinaryCopy(len(cs) * 320)
		for i, c := range cs {
			status := c.Status
			if status == "" {
				status = steward.StatusActive
			}
			if err := customerRow(cp, c, ids[i], status, now, m); err != nil {
				return err
			}
		}
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(cp.bytes()), copyCustomers); err != nil {
			if isForeignKey(err) {
				return steward.Errorf(steward.ENOTFOUND, "A customer is merged into a customer that does not exist.")
			}
			return fmt.Errorf("copy customers: %w", err)
		}
		if nrefs > 0 {
			cp := newBinaryCopy(nrefs * 40)
			for i, c := range cs {
				if r := &c.Record; r.Source != "" && r.SourceID != "" {
					cp.row(3)
					cp.text(r.Source)
					cp.text(r.SourceID)
					cp.int8(ids[i])
				}
			}
			if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(cp.bytes()),
				"COPY source_refs (source, source_id, customer_id) FROM STDIN (FORMAT binary)"); err != nil {
				return sourceConflict(fmt.Errorf("copy source references: %w", err), cs)
			}
		}
		return nil
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

// sourceConflict turns a unique violation on source_refs into ECONFLICT.
func sourceConflict(err error, cs []*steward.Customer) error {
	if !isUnique(err) {
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
	c, err := scanCustomer(s.read(ctx).QueryRow(ctx, selectCustomer+" WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get customer %d: %w", id, err)
	}
	return c, nil
}

// CustomerBySource implements steward.CustomerStore.
func (s *Store) CustomerBySource(ctx context.Context, source, sourceID string) (*steward.Customer, error) {
	c, err := scanCustomer(s.read(ctx).QueryRow(ctx, selectCustomer+
		" WHERE id = (SELECT customer_id FROM source_refs WHERE source = $1 AND source_id = $2)", source, sourceID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No customer comes from source record %s/%s.", source, sourceID)
	}
	if err != nil {
		return nil, fmt.Errorf("get customer by source: %w", err)
	}
	return c, nil
}

// batcher is what UpdateCustomer sends its pipelined statements through:
// a transaction it joins, or a pooled connection of its own.
type batcher interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// UpdateCustomer implements steward.CustomerStore in two round trips: the
// stored row read FOR UPDATE (so concurrent updates of one customer queue
// and all but the first find a newer version), then the update, its
// changes and the end of the transaction or savepoint, pipelined. A nightly
// job updates every customer, so round trips matter more than elsewhere.
func (s *Store) UpdateCustomer(ctx context.Context, c *steward.Customer, m steward.Meta) (err error) {
	if err := steward.CheckStatus(c.Status); err != nil {
		return err
	}
	var (
		q                  batcher
		begin, end, cancel string
		top                *txTop
	)
	if t := s.stateOf(ctx); t != nil {
		q, top = t.tx, t.top
		begin, end, cancel = "SAVEPOINT steward_update", "RELEASE steward_update",
			"ROLLBACK TO steward_update; RELEASE steward_update"
	} else {
		conn, err := s.db.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("update customer %d: %w", c.ID, err)
		}
		defer conn.Release() // a connection left inside a transaction is closed, not reused
		q = conn
		begin, end, cancel = "BEGIN", "COMMIT", "ROLLBACK"
	}
	done := false
	defer func() {
		if !done {
			if _, uerr := q.Exec(context.WithoutCancel(ctx), cancel); uerr != nil {
				err = errors.Join(err, fmt.Errorf("undo update: %w", uerr))
			}
		}
		if err != nil {
			err = fmt.Errorf("update customer %d: %w", c.ID, err)
		}
	}()

	var old *steward.Customer
	b := &pgx.Batch{}
	b.Queue(begin)
	b.Queue(selectCustomer+" WHERE id = $1 FOR UPDATE", c.ID).QueryRow(func(row pgx.Row) error {
		var err error
		old, err = scanCustomer(row)
		return err
	})
	if err := q.SendBatch(ctx, b).Close(); errors.Is(err, pgx.ErrNoRows) {
		return steward.Errorf(steward.ENOTFOUND, "Customer %d does not exist.", c.ID)
	} else if err != nil {
		return fmt.Errorf("read customer: %w", err)
	}
	if old.Version != c.Version {
		return steward.StaleVersion(c.ID, c.Version, old.Version)
	}
	diff := steward.CustomerDiff(old, c)
	now := s.now()
	b = &pgx.Batch{}
	if len(diff) > 0 {
		var merged any
		if c.MergedInto != 0 {
			merged = c.MergedInto
		}
		attrs := c.Record.Attributes
		if attrs == nil {
			attrs = map[string]string{}
		}
		r := &c.Record
		b.Queue(`UPDATE customers SET status = $1, merged_into = $2, version = version + 1,
			first_name = $3, last_name = $4, company = $5, email = $6, phone = $7,
			address_line1 = $8, address_line2 = $9, city = $10, region = $11, postal_code = $12,
			country = $13, birth_date = $14, national_id = $15, attributes = $16, updated_at = $17,
			change_seq = `+thisChangeSeq+`
			WHERE id = $18 AND version = $19`,
			string(c.Status), merged,
			r.FirstName, r.LastName, r.Company, r.Email, r.Phone,
			r.AddressLine1, r.AddressLine2, r.City, r.Region, r.PostalCode,
			r.Country, r.BirthDate, r.NationalID, attrs, now,
			c.ID, c.Version).Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() != 1 {
				return steward.StaleVersion(c.ID, c.Version, old.Version)
			}
			return nil
		})
		fields, before, after := make([]string, len(diff)), make([]string, len(diff)), make([]string, len(diff))
		for i, d := range diff {
			fields[i], before[i], after[i] = d.Field, d.Before, d.After
		}
		b.Queue(`INSERT INTO changes (customer_id, at, actor, field, before_value, after_value, cause)
			SELECT $1, $2, $3, u.f, u.b, u.a, $4
			FROM unnest($5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS u(f, b, a, n)
			ORDER BY u.n`, c.ID, now, m.Actor, m.Cause, fields, before, after)
		if top != nil {
			top.wroteCustomers = true
		} else {
			// A transaction of its own: the bump is its last statement.
			b.Queue(bumpGeneration)
		}
	}
	b.Queue(end)
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		if isForeignKey(err) {
			return steward.Errorf(steward.ENOTFOUND, "Customer %d, to merge into, does not exist.", c.MergedInto)
		}
		return err
	}
	done = true
	c.Record.Source, c.Record.SourceID = old.Record.Source, old.Record.SourceID
	c.CreatedAt = old.CreatedAt
	if len(diff) > 0 {
		c.Version++
		c.UpdatedAt = now
	}
	return nil
}

// eachPage is how many customers EachCustomer reads per query.
const eachPage = 1000

// EachCustomer implements steward.CustomerStore with keyset pagination:
// each page is one query that is finished before fn sees its customers, so
// fn may use the same transaction. Outside a transaction the next page is
// read on another pooled connection while fn works.
func (s *Store) EachCustomer(ctx context.Context, f steward.CustomerFilter, fn func(*steward.Customer) error) error {
	q := s.read(ctx)
	where, extra := "", []any{}
	if f.ChangedSince > 0 {
		// A filter on each page's id-ordered query (the transactions since
		// the mark are few; their least id lets the planner weigh the
		// change_seq index), not every changed id listed for every page,
		// which took time quadratic in their number after a bulk import.
		least, err := leastChangedXID(ctx, q, f.ChangedSince)
		if err != nil {
			return err
		}
		if least == noChanges {
			return nil
		}
		extra = append(extra, least, f.ChangedSince)
		where += fmt.Sprintf(" AND change_seq >= $%d AND change_seq IN (SELECT xid FROM customer_change_txns WHERE seq >= $%d)", len(extra)+1, len(extra)+2)
	}
	if f.Status != "" {
		extra = append(extra, string(f.Status))
		where += fmt.Sprintf(" AND status = $%d", len(extra)+2)
	}
	if f.ThroughID > 0 {
		extra = append(extra, f.ThroughID)
		where += fmt.Sprintf(" AND id <= $%d", len(extra)+2)
	}
	if f.IDs != nil {
		extra = append(extra, f.IDs)
		where += fmt.Sprintf(" AND id = ANY($%d)", len(extra)+2)
	}
	query := selectCustomer + " WHERE id > $1" + where + " ORDER BY id LIMIT $2"
	read := func(ctx context.Context, after int64, n int) ([]*steward.Customer, error) {
		args := append([]any{after, n}, extra...)
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*steward.Customer, error) { return scanCustomer(row) })
		if err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		return cs, nil
	}
	return pages.Each(ctx, f, eachPage, s.txOf(ctx) == nil, read, fn)
}

// CountCustomers implements steward.CustomerStore.
func (s *Store) CountCustomers(ctx context.Context, status steward.Status) (int64, error) {
	q, args := `SELECT count(*) FROM customers`, []any{}
	if status != "" {
		q += ` WHERE status = $1`
		args = append(args, string(status))
	}
	var n int64
	if err := s.read(ctx).QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count customers: %w", err)
	}
	return n, nil
}

// AttributeNames implements steward.CustomerStore.
func (s *Store) AttributeNames(ctx context.Context, status steward.Status) ([]string, error) {
	q := `SELECT DISTINCT k COLLATE "C" FROM customers, jsonb_object_keys(attributes) AS k WHERE attributes <> '{}'`
	var args []any
	if status != "" {
		q += ` AND status = $1`
		args = append(args, string(status))
	}
	rows, err := s.read(ctx).Query(ctx, q+` ORDER BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("list attribute names: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list attribute names: %w", err)
	}
	if names == nil {
		names = []string{}
	}
	return names, nil
}

// Changes implements steward.CustomerStore: the recorded changes of
// updates, preceded by the creation entries derived from them (see
// steward.CreationChanges).
func (s *Store) Changes(ctx context.Context, customerID int64) ([]steward.Change, error) {
	q := s.read(ctx)
	c, err := scanCustomer(q.QueryRow(ctx, selectCustomer+" WHERE id = $1", customerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return []steward.Change{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	var actor, cause string
	if err := q.QueryRow(ctx, `SELECT created_by, created_cause FROM customers WHERE id = $1`,
		customerID).Scan(&actor, &cause); err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	rows, err := q.Query(ctx, `SELECT id, customer_id, at, actor, field, before_value, after_value, cause
		FROM changes WHERE customer_id = $1 ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	later, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (steward.Change, error) {
		var ch steward.Change
		err := row.Scan(&ch.ID, &ch.CustomerID, &ch.At, &ch.Actor, &ch.Field, &ch.Before, &ch.After, &ch.Cause)
		ch.At = ch.At.UTC()
		return ch, err
	})
	if err != nil {
		return nil, fmt.Errorf("list changes: %w", err)
	}
	return append(steward.CreationChanges(c, actor, cause, later), later...), nil
}
