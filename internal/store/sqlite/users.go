package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward"
)

const selectUser = `SELECT id, name, role, password_hash, disabled_at, created_at, updated_at FROM users`

func scanUser(sc scanner) (*steward.User, error) {
	var (
		u                steward.User
		disabled         sql.NullString
		created, updated string
	)
	if err := sc.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &disabled, &created, &updated); err != nil {
		return nil, err
	}
	var err error
	if u.DisabledAt, err = parseNullTime(disabled); err != nil {
		return nil, err
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &u, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
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
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, disabled_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, name, string(u.Role), u.PasswordHash, nullTime(u.DisabledAt), formatTime(now), formatTime(now))
		if isUnique(err) {
			return steward.FieldErrorf(steward.ECONFLICT, "name", "There is a user called %s already.", name)
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		id, err = res.LastInsertId()
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
	u, err := scanUser(s.read(ctx).QueryRowContext(ctx, selectUser+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	u, err := scanUser(s.read(ctx).QueryRowContext(ctx, selectUser+` WHERE name = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.FieldErrorf(steward.ENOTFOUND, "name", "There is no user called %s.", n)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %s: %w", n, err)
	}
	return u, nil
}

// Users implements steward.UserStore.
func (s *Store) Users(ctx context.Context) ([]*steward.User, error) {
	return queryAll(ctx, s, "users", selectUser+` ORDER BY name`, nil, scanUser)
}

// UpdateUser implements steward.UserStore.
func (s *Store) UpdateUser(ctx context.Context, u *steward.User) error {
	if !u.Role.Valid() {
		return steward.FieldErrorf(steward.EINVALID, "role", "Unknown role %q: want viewer, steward or admin.", u.Role)
	}
	now := s.now()
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, disabled_at = ?, updated_at = ? WHERE id = ?`,
			string(u.Role), u.PasswordHash, nullTime(u.DisabledAt), formatTime(now), u.ID)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update user: %w", err)
		} else if n == 0 {
			return steward.Errorf(steward.ENOTFOUND, "User %d does not exist.", u.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	u.UpdatedAt = now
	return nil
}

const selectToken = `SELECT id, user_id, kind, name, hash, created_at, expires_at, revoked_at FROM tokens`

func scanToken(sc scanner) (*steward.Token, error) {
	var (
		t                steward.Token
		created          string
		expires, revoked sql.NullString
	)
	if err := sc.Scan(&t.ID, &t.UserID, &t.Kind, &t.Name, &t.Hash, &created, &expires, &revoked); err != nil {
		return nil, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if t.ExpiresAt, err = parseNullTime(expires); err != nil {
		return nil, err
	}
	if t.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
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
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO tokens (user_id, kind, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.UserID, string(t.Kind), t.Name, t.Hash, formatTime(now), nullTime(t.ExpiresAt))
		switch {
		case isForeignKey(err):
			return steward.Errorf(steward.ENOTFOUND, "User %d does not exist.", t.UserID)
		case isUnique(err):
			return steward.Errorf(steward.ECONFLICT, "A token with the same secret exists; make a new secret.")
		case err != nil:
			return fmt.Errorf("insert token: %w", err)
		}
		id, err = res.LastInsertId()
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
	t, err := scanToken(s.read(ctx).QueryRowContext(ctx, selectToken+` WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, steward.Errorf(steward.ENOTFOUND, "No such token.")
	}
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// Tokens implements steward.UserStore.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]*steward.Token, error) {
	return queryAll(ctx, s, "tokens", selectToken+` WHERE user_id = ? ORDER BY id DESC`, []any{userID}, scanToken)
}

// RevokeToken implements steward.UserStore.
func (s *Store) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, formatTime(at), id)
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		} else if n == 0 {
			return steward.Errorf(steward.ENOTFOUND, "Token %d does not exist.", id)
		}
		return nil
	})
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
	return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`,
			formatTime(e.At), e.Actor, e.Action, e.Target, nullEvidence(e.Detail))
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		e.ID, err = res.LastInsertId()
		return err
	})
}

// AuditEntries implements steward.AuditStore.
func (s *Store) AuditEntries(ctx context.Context, f steward.AuditFilter) ([]*steward.AuditEntry, error) {
	var where []string
	var args []any
	if f.Target != "" {
		where, args = append(where, `target = ?`), append(args, f.Target)
	}
	if f.Actor != "" {
		where, args = append(where, `actor = ?`), append(args, f.Actor)
	}
	if f.Before != 0 {
		where, args = append(where, `id < ?`), append(args, f.Before)
	}
	return queryAll(ctx, s, "audit entries", newestFirst(`SELECT id, at, actor, action, target, detail FROM audit_log`, where, f.Limit), args,
		func(sc scanner) (*steward.AuditEntry, error) {
			var (
				e      steward.AuditEntry
				at     string
				detail sql.NullString
			)
			if err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &detail); err != nil {
				return nil, err
			}
			var err error
			if e.At, err = parseTime(at); err != nil {
				return nil, err
			}
			if detail.Valid {
				e.Detail = json.RawMessage(detail.String)
			}
			return &e, nil
		})
}
