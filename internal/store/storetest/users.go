package storetest

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/steward-crm/steward"
)

func testUsers(t *testing.T, s steward.Store) {
	ctx := context.Background()
	sara := &steward.User{Name: "  Sara.K ", Role: steward.RoleSteward, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}
	must(t, s.CreateUser(ctx, sara))
	if sara.ID == 0 || sara.Name != "sara.k" || sara.CreatedAt.IsZero() {
		t.Fatalf("created %+v: want an id, the name normalized, a time", sara)
	}
	got, err := s.UserByName(ctx, "SARA.K")
	must(t, err)
	if !reflect.DeepEqual(got, sara) {
		t.Errorf("read back %+v, want %+v", got, sara)
	}
	got, err = s.User(ctx, sara.ID)
	must(t, err)
	if !reflect.DeepEqual(got, sara) {
		t.Errorf("read back by id %+v, want %+v", got, sara)
	}
	must(t, s.CreateUser(ctx, &steward.User{Name: "admin", Role: steward.RoleAdmin}))
	wantCode(t, s.CreateUser(ctx, &steward.User{Name: "Sara.k", Role: steward.RoleViewer}), steward.ECONFLICT)
	wantCode(t, s.CreateUser(ctx, &steward.User{Name: "bob", Role: "boss"}), steward.EINVALID)
	wantCode(t, s.CreateUser(ctx, &steward.User{Name: "bob smith", Role: steward.RoleViewer}), steward.EINVALID)
	wantCode(t, s.CreateUser(ctx, &steward.User{Name: "", Role: steward.RoleViewer}), steward.EINVALID)
	users, err := s.Users(ctx)
	must(t, err)
	if len(users) != 2 || users[0].Name != "admin" || users[1].Name != "sara.k" {
		t.Errorf("users %v, want admin and sara.k by name", users)
	}
	// Role, password and disabling.
	sara.Role, sara.PasswordHash, sara.DisabledAt = steward.RoleViewer, "", time.Date(2025, 3, 1, 12, 0, 0, 123000, time.UTC)
	must(t, s.UpdateUser(ctx, sara))
	got, err = s.User(ctx, sara.ID)
	must(t, err)
	if !reflect.DeepEqual(got, sara) || !got.Disabled() {
		t.Errorf("after the update %+v, want %+v", got, sara)
	}
	wantCode(t, s.UpdateUser(ctx, &steward.User{ID: 424242, Role: steward.RoleViewer}), steward.ENOTFOUND)
	sara.Role = "boss"
	wantCode(t, s.UpdateUser(ctx, sara), steward.EINVALID)
	_, err = s.User(ctx, 424242)
	wantCode(t, err, steward.ENOTFOUND)
	_, err = s.UserByName(ctx, "nobody")
	wantCode(t, err, steward.ENOTFOUND)
}

func testTokens(t *testing.T, s steward.Store) {
	ctx := context.Background()
	u := &steward.User{Name: "sync", Role: steward.RoleSteward}
	must(t, s.CreateUser(ctx, u))
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	api := &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Name: "crm sync", Hash: "aa11"}
	session := &steward.Token{UserID: u.ID, Kind: steward.TokenSession, Hash: "bb22", ExpiresAt: expires}
	must(t, s.CreateToken(ctx, api))
	must(t, s.CreateToken(ctx, session))
	got, err := s.TokenByHash(ctx, "bb22")
	must(t, err)
	if !reflect.DeepEqual(got, session) {
		t.Errorf("token read back %+v, want %+v", got, session)
	}
	if !got.Usable(expires.Add(-time.Second)) || got.Usable(expires) {
		t.Errorf("a session token is usable until it expires, and not after")
	}
	list, err := s.Tokens(ctx, u.ID)
	must(t, err)
	if len(list) != 2 || list[0].ID != session.ID || list[1].ID != api.ID {
		t.Errorf("tokens %v, want newest first", list)
	}
	at := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	must(t, s.RevokeToken(ctx, api.ID, at))
	must(t, s.RevokeToken(ctx, api.ID, at.Add(time.Hour)))
	got, err = s.TokenByHash(ctx, "aa11")
	must(t, err)
	if !got.RevokedAt.Equal(at) || got.Usable(at) {
		t.Errorf("revoked token %+v, want revoked at its first revocation", got)
	}
	wantCode(t, s.RevokeToken(ctx, 424242, at), steward.ENOTFOUND)
	wantCode(t, s.CreateToken(ctx, &steward.Token{UserID: 424242, Kind: steward.TokenAPI, Hash: "cc33"}), steward.ENOTFOUND)
	wantCode(t, s.CreateToken(ctx, &steward.Token{UserID: u.ID, Kind: steward.TokenAPI, Hash: "aa11"}), steward.ECONFLICT)
	wantCode(t, s.CreateToken(ctx, &steward.Token{UserID: u.ID, Kind: "forever", Hash: "dd44"}), steward.EINVALID)
	wantCode(t, s.CreateToken(ctx, &steward.Token{UserID: u.ID, Kind: steward.TokenAPI}), steward.EINVALID)
	_, err = s.TokenByHash(ctx, "nope")
	wantCode(t, err, steward.ENOTFOUND)
}

func testAudit(t *testing.T, s steward.Store) {
	ctx := context.Background()
	entries := []*steward.AuditEntry{
		{Actor: "sara", Action: "customer.read", Target: "customer:12", Detail: json.RawMessage(`{"status": 200}`)},
		{Actor: "reza", Action: "merge.create", Target: "merge:3"},
		{Actor: "sara", Action: "customer.read", Target: "customer:12", At: time.Date(2025, 1, 2, 3, 4, 5, 6789, time.UTC)},
	}
	for _, e := range entries {
		must(t, s.Audit(ctx, e))
		if e.ID == 0 || e.At.IsZero() {
			t.Fatalf("audited %+v: want an id and a time", e)
		}
	}
	if !entries[2].At.Equal(time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)) {
		t.Errorf("time kept as %v, want it to the microsecond", entries[2].At)
	}
	tests := []struct {
		name string
		f    steward.AuditFilter
		want []*steward.AuditEntry
	}{
		{"all", steward.AuditFilter{}, []*steward.AuditEntry{entries[2], entries[1], entries[0]}},
		{"target", steward.AuditFilter{Target: "customer:12"}, []*steward.AuditEntry{entries[2], entries[0]}},
		{"actor", steward.AuditFilter{Actor: "reza"}, []*steward.AuditEntry{entries[1]}},
		{"page", steward.AuditFilter{Before: entries[2].ID, Limit: 1}, []*steward.AuditEntry{entries[1]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AuditEntries(ctx, tt.f)
			must(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("%d entries, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].ID != tt.want[i].ID || !got[i].At.Equal(tt.want[i].At) || got[i].Actor != tt.want[i].Actor ||
					got[i].Action != tt.want[i].Action || got[i].Target != tt.want[i].Target || !sameJSONOrEmpty(got[i].Detail, tt.want[i].Detail) {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	wantCode(t, s.Audit(ctx, &steward.AuditEntry{Actor: "x", Action: "y", Detail: json.RawMessage(`{`)}), steward.EINVALID)
}
