package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward"
)

const selectUser = `SELECT id, name, role, password_hash, disabled_at, created_at, updated_at FROM users`

func scanUser(row pgx.Row) (*steward.User, error) {
	var (
		u        steward.User
		disabled *time.Time
	)
	if err := row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &disabled, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.DisabledAt = utcOrZero(disabled)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// CreateUser implements steward.UserStore.
func (s *Store) CreateUser(ctx context.Context, u *steward.User) error {
	name, err := steward.NormalizeUserName(u.Name)
	if err != nil {
		return err
	}
	if !u.Role.Valid() {
		return steward.FieldErrorf(steward.EINVALID, "role", "Unknown role %q: want viewer, steward or admin.", u.Role)
	}
	now := s.now()
	var id int64
	err = s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO users (name, role, password_hash, disabled_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, name, string(u.Role), u.PasswordHash, nullTime(u.DisabledAt), now).Scan(&id)
		if isUnique(err) {
			return steward.FieldErrorf(steward.ECONFLICT, "name", "There is a user called %s already.", name)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, u.Name, u.CreatedAt, u.UpdatedAt = id, name, now, now
	return nil
}

// User implements steward.UserStore.
func (s *Store) User(ctx context.Context, id int64) (*steward.User, error) {
	u, err := scanUser(s.read(ctx).QueryRow(ctx, selectUser+` WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "User %d does not exist.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// UserByName implements steward.UserStore.
func (s *Store) UserByName(ctx context.Context, name string) (*steward.User, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	u, err := scanUser(s.read(ctx).QueryRow(ctx, selectUser+` WHERE name = $1`, n))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.FieldErrorf(steward.ENOTFOUND, "name", "There is no user called %s.", n)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", n, err)
	}
	return u, nil
}

// Users implements steward.UserStore.
func (s *Store) Users(ctx context.Context) ([]*steward.User, error) {
	return collect(ctx, s, "users", selectUser+` ORDER BY name COLLATE "C"`, nil, scanUser)
}

// UpdateUser implements steward.UserStore.
func (s *Store) UpdateUser(ctx context.Context, u *steward.User) error {
	if !u.Role.Valid() {
		return steward.FieldErrorf(steward.EINVALID, "role", "Unknown role %q: want viewer, steward or admin.", u.Role)
	}
	now := s.now()
	tag, err := s.one(ctx, nil, `UPDATE users SET role = $1, password_hash = $2, disabled_at = $3, updated_at = $4 WHERE id = $5`,
		string(u.Role), u.PasswordHash, nullTime(u.DisabledAt), now, u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return steward.Errorf(steward.ENOTFOUND, "User %d does not exist.", u.ID)
	}
	u.UpdatedAt = now
	return nil
}

const selectToken = `SELECT id, user_id, kind, name, hash, created_at, expires_at, revoked_at FROM tokens`

func scanToken(row pgx.Row) (*steward.Token, error) {
	var (
		t                steward.Token
		expires, revoked *time.Time
	)
	if err := row.Scan(&t.ID, &t.UserID, &t.Kind, &t.Name, &t.Hash, &t.CreatedAt, &expires, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = t.CreatedAt.UTC(), utcOrZero(expires), utcOrZero(revoked)
	return &t, nil
}

// CreateToken implements steward.UserStore.
func (s *Store) CreateToken(ctx context.Context, t *steward.Token) error {
	if t.Kind != steward.TokenAPI && t.Kind != steward.TokenSession {
		return steward.Errorf(steward.EINVALID, "A token is an api or a session token, not %q.", t.Kind)
	}
	if t.Hash == "" {
		return steward.Errorf(steward.EINVALID, "A token needs the hash of its secret.")
	}
	now := s.now()
	var id int64
	err := s.write(ctx, func(ctx context.Context, tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO tokens (user_id, kind, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			t.UserID, string(t.Kind), t.Name, t.Hash, now, nullTime(t.ExpiresAt)).Scan(&id)
		switch {
		case isForeignKey(err):
			return steward.Errorf(steward.ENOTFOUND, "User %d does not exist.", t.UserID)
		case isUnique(err):
			return steward.Errorf(steward.ECONFLICT, "A token with the same secret exists; make a new secret.")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// TokenByHash implements steward.UserStore.
func (s *Store) TokenByHash(ctx context.Context, hash string) (*steward.Token, error) {
	t, err := scanToken(s.read(ctx).QueryRow(ctx, selectToken+` WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No such token.")
	}
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// Tokens implements steward.UserStore.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]*steward.Token, error) {
	return collect(ctx, s, "tokens", selectToken+` WHERE user_id = $1 ORDER BY id DESC`, []any{userID}, scanToken)
}

// RevokeToken implements steward.UserStore.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.one(ctx, nil, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, at, id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return steward.Errorf(steward.ENOTFOUND, "Token %d does not exist.", id)
	}
	return nil
}

// Audit implements steward.AuditStore.
func (s *Store) Audit(ctx context.Context, e *steward.AuditEntry) error {
	if len(e.Detail) > 0 && !json.Valid(e.Detail) {
		return steward.Errorf(steward.EINVALID, "The detail of an audit entry must be JSON.")
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	_, err := s.one(ctx, func(row pgx.Row) error { return row.Scan(&e.ID) },
		`INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		e.At, e.Actor, e.Action, e.Target, nullEvidence(e.Detail))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditEntries implements steward.AuditStore.
func (s *Store) AuditEntries(ctx context.Context, f steward.AuditFilter) ([]*steward.AuditEntry, error) {
	var c conditions
	if f.Target != "" {
		c.add(`target = $%d`, f.Target)
	}
	if f.Actor != "" {
		c.add(`actor = $%d`, f.Actor)
	}
	if f.Before != 0 {
		c.add(`id < $%d`, f.Before)
	}
	return collect(ctx, s, "audit entries", c.newestFirst(`SELECT id, at, actor, action, target, detail FROM audit_log`, f.Limit), c.args,
		func(row pgx.Row) (*steward.AuditEntry, error) {
			var e steward.AuditEntry
			var detail []byte
			if err := row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &detail); err != nil {
				return nil, err
			}
			e.At = e.At.UTC()
			if detail != nil {
				e.Detail = json.RawMessage(detail)
			}
			return &e, nil
		})
}
