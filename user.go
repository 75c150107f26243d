package steward

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// Role is what a user may do. Each role may do what the ones below it
// may: admin > steward > viewer.
type Role string

// Roles.
const (
	// RoleViewer reads customers, suggestions, merges, job runs and
	// imports.
	RoleViewer Role = "viewer"
	// RoleSteward also decides suggestions, creates and updates customers,
	// merges, undoes merges and takes members out of them.
	RoleSteward Role = "steward"
	// RoleAdmin also manages users and tokens, imports and jobs.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least allowed first.
func Roles() []Role { return []Role{RoleViewer, RoleSteward, RoleAdmin} }

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleSteward:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a user with role r may do what needs role need.
func (r Role) Allows(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

// ParseRole returns the role a user named (any case), or EINVALID.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", FieldErrorf(EINVALID, "role", "Unknown role %q: want viewer, steward or admin.", s)
	}
	return r, nil
}

// User is a person (or program) who signs in to steward.
type User struct {
	ID int64 `json:"id"`
	// Name is how the user signs in and how the audit trail names them:
	// lower case, see NormalizeUserName.
	Name string `json:"name"`
	Role Role   `json:"role"`
	// PasswordHash is the password's argon2id hash in the PHC string
	// format; "" for a user who signs in with tokens only.
	PasswordHash string `json:"-"`
	// DisabledAt is when the user was disabled; a disabled user's
	// password and tokens are refused.
	DisabledAt time.Time `json:"disabled_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Disabled reports whether the user was disabled.
func (u *User) Disabled() bool { return !u.DisabledAt.IsZero() }

// NormalizeUserName returns name trimmed and in lower case, or EINVALID
// when it is not a user name: 1 to 64 letters, digits, '.', '-', '_' or
// '@'.
func NormalizeUserName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || len([]rune(n)) > 64 {
		return "", FieldErrorf(EINVALID, "name", "A user name has 1 to 64 characters, not %d.", len([]rune(n)))
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(".-_@", r) {
			return "", FieldErrorf(EINVALID, "name", "A user name holds letters, digits, '.', '-', '_' and '@' only; %q has %q.", name, r)
		}
	}
	return n, nil
}

// TokenKind says what a token is for.
type TokenKind string

// Token kinds.
const (
	// TokenAPI is made by an admin for a program (steward tokens create)
	// and lives until revoked, or until its expiry when it has one.
	TokenAPI TokenKind = "api"
	// TokenSession is made by signing in with a password and expires.
	TokenSession TokenKind = "session"
)

// Token is a bearer credential of a user. The secret is shown once, when
// the token is made; the store keeps only its hash.
type Token struct {
	ID     int64     `json:"id"`
	UserID int64     `json:"user_id"`
	Kind   TokenKind `json:"kind"`
	// Name says what the token is for ("crm sync").
	Name string `json:"name,omitempty"`
	// Hash is the SHA-256 of the secret, hex; how the store finds a token
	// when it is presented.
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt is when the token stops working; zero for never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// RevokedAt is when the token was revoked; zero while it is not.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Usable reports whether t may still be used at now: not revoked, not
// expired.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// UserStore keeps users and their tokens.
type UserStore interface {
	// CreateUser stores u as a new user (its name normalized, its role
	// valid: EINVALID otherwise) and sets u.ID and the times; ECONFLICT
	// when the name is taken.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with the id, or ENOTFOUND.
	User(ctx context.Context, id int64) (*User, error)
	// UserByName returns the user with the name (any case), or ENOTFOUND.
	UserByName(ctx context.Context, name string) (*User, error)
	// Users returns every user by name.
	Users(ctx context.Context) ([]*User, error)
	// UpdateUser stores u's role, password hash and disabled time over the
	// stored user and sets u.UpdatedAt; ENOTFOUND when there is none,
	// EINVALID for an unknown role.
	UpdateUser(ctx context.Context, u *User) error
	// CreateToken stores t (its Hash set by the caller, its user existing:
	// ENOTFOUND otherwise) and sets t.ID and t.CreatedAt.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token whose secret hashes to hash, revoked
	// or expired ones too, or ENOTFOUND.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens returns the tokens of a user, newest first.
	Tokens(ctx context.Context, userID int64) ([]*Token, error)
	// RevokeToken revokes token id at the time given (ENOTFOUND when
	// there is no such token); revoking a revoked token keeps its first
	// revocation.
	RevokeToken(ctx context.Context, id int64, at time.Time) error
}
