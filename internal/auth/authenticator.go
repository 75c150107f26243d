package auth

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/steward-crm/steward"
)

// Store is what signing in reads and writes: users and tokens.
type Store interface {
	User(ctx context.Context, id int64) (*steward.User, error)
	UserByName(ctx context.Context, name string) (*steward.User, error)
	CreateToken(ctx context.Context, t *steward.Token) error
	TokenByHash(ctx context.Context, hash string) (*steward.Token, error)
}

// Authenticator turns credentials into users.
type Authenticator struct {
	Store Store
	// Users slows down failed sign-ins per user name, Clients failed
	// sign-ins and bad tokens per client address (an office behind one
	// address holds many users: give it more); nil throttles nothing.
	Users, Clients *Throttle
	// SessionTTL is how long a session token made by Login lives.
	SessionTTL time.Duration
	// Params hash the decoy password (see Login); zero is DefaultParams.
	Params Params
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	decoyOnce sync.Once
	decoy     string
}

// ThrottledError is ETHROTTLED with how long to wait before trying again.
type ThrottledError struct {
	Err        *steward.Error
	RetryAfter time.Duration
}

// Error implements error.
func (e *ThrottledError) Error() string { return e.Err.Error() }

// Unwrap returns the ETHROTTLED error.
func (e *ThrottledError) Unwrap() error { return e.Err }

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// errBadToken is every refused bearer token: whether it is unknown,
// revoked or expired is not the caller's business.
func errBadToken() error {
	return steward.Errorf(steward.EUNAUTHORIZED, "The token is not valid (unknown, revoked or expired); sign in again or ask an admin for a new one.")
}

// throttled returns ETHROTTLED when the user name (when not "") or the
// client must wait.
func (a *Authenticator) throttled(what, user, client string) error {
	var wait time.Duration
	if a.Users != nil && user != "" {
		wait = a.Users.Wait(user)
	}
	if a.Clients != nil {
		wait = max(wait, a.Clients.Wait(client))
	}
	if wait <= 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	return &ThrottledError{RetryAfter: time.Duration(secs) * time.Second,
		Err: steward.Errorf(steward.ETHROTTLED, "Too many failed %s from here or for this user; try again in %d seconds.", what, secs)}
}

// fail spends an attempt of the user name (when not "") and the client.
func (a *Authenticator) fail(user, client string) {
	if a.Users != nil && user != "" {
		a.Users.Fail(user)
	}
	if a.Clients != nil {
		a.Clients.Fail(client)
	}
}

// Bearer returns the user and token of a bearer secret presented by
// client (an address, for the throttle): EUNAUTHORIZED for a secret that
// is unknown, revoked or expired, or whose user is disabled; ETHROTTLED
// (ThrottledError) for a client that failed too often lately.
func (a *Authenticator) Bearer(ctx context.Context, secret, client string) (*steward.User, *steward.Token, error) {
	if err := a.throttled("attempts", "", client); err != nil {
		return nil, nil, err
	}
	t, err := a.Store.TokenByHash(ctx, HashSecret(secret))
	switch {
	case steward.ErrorCode(err) == steward.ENOTFOUND:
		a.fail("", client)
		return nil, nil, errBadToken()
	case err != nil:
		return nil, nil, fmt.Errorf("look up token: %w", err)
	case !t.Usable(a.now()):
		a.fail("", client)
		return nil, nil, errBadToken()
	}
	u, err := a.Store.User(ctx, t.UserID)
	if err != nil {
		return nil, nil, fmt.Errorf("token's user: %w", err)
	}
	if u.Disabled() {
		return nil, nil, steward.Errorf(steward.EUNAUTHORIZED, "User %s is disabled; ask an admin.", u.Name)
	}
	return u, t, nil
}

// Login checks name and password, presented by client, and returns a new
// session token's secret (shown once), the token and the user. A wrong
// name or password is EUNAUTHORIZED with the same words either way, after
// the same work (a decoy hash is checked for an unknown name), so that
// the answer does not tell which users exist; a name or client that
// failed too often lately is ETHROTTLED (ThrottledError) without a check.
func (a *Authenticator) Login(ctx context.Context, name, password, client string) (string, *steward.Token, *steward.User, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if err := a.throttled("sign-ins", n, client); err != nil {
		return "", nil, nil, err
	}
	wrong := steward.Errorf(steward.EUNAUTHORIZED, "The user name or the password is wrong.")
	u, err := a.Store.UserByName(ctx, n)
	if err != nil && steward.ErrorCode(err) != steward.ENOTFOUND {
		return "", nil, nil, fmt.Errorf("look up user: %w", err)
	}
	hash := a.decoyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", nil, nil, fmt.Errorf("user %s: %w", n, err)
	}
	if u == nil || u.PasswordHash == "" || !ok {
		a.fail(n, client)
		return "", nil, nil, wrong
	}
	if u.Disabled() {
		return "", nil, nil, steward.Errorf(steward.EUNAUTHORIZED, "User %s is disabled; ask an admin.", u.Name)
	}
	secret, h, err := NewSecret()
	if err != nil {
		return "", nil, nil, err
	}
	t := &steward.Token{UserID: u.ID, Kind: steward.TokenSession, Hash: h, Name: "sign-in", ExpiresAt: a.now().Add(a.SessionTTL).UTC().Truncate(time.Microsecond)}
	if err := a.Store.CreateToken(ctx, t); err != nil {
		return "", nil, nil, err
	}
	return secret, t, u, nil
}

// decoyHash is a hash no password is checked against for real, made
// once with the parameters passwords get.
func (a *Authenticator) decoyHash() string {
	a.decoyOnce.Do(func() {
		p := a.Params
		if p == (Params{}) {
			p = DefaultParams()
		}
		secret, _, err := NewSecret()
		if err == nil {
			a.decoy, err = HashPassword(secret, p)
		}
		if err != nil {
			// Without randomness nothing signs in anyway.
			a.decoy = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}
	})
	return a.decoy
}
