package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// TestEraseThenImportAgain: a customer with history, a merge, a
// suggestion's evidence, email verifications and a suppression is erased;
// then no table holds any of its values (every table read, every column),
// while another customer's values are all still there; the same file
// imported again is still suppressed and left out of the sendable
// export; the merge can no longer be undone.
func TestEraseThenImportAgain(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { eraseThenImportAgain(t, filepath.Join(t.TempDir(), "crm.db")) })
	t.Run("postgres", func(t *testing.T) { eraseThenImportAgain(t, storetest.PostgresDSN(t)) })
}

func eraseThenImportAgain(t *testing.T, dsn string) {
	env := []string{"STEWARD_HASH_KEY=" + strings.Repeat("ab", 32), "STEWARD_TOKEN_KEYS=" + strings.Repeat("cd", 32)}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(want int, args ...string) string {
		t.Helper()
		out, errOut, code := runWith(t, env, append(args, "--db", dsn)...)
		if code != want {
			t.Fatalf("steward %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out + errOut
	}
	const header = "id,first_name,last_name,email,phone,address_line1,city,postal_code,country,birth_date\n"
	shop := write("shop.csv", header+
		"s1,Parisa,Karimizadeh,parisa.karimizadeh@example.org,+98 912 345 6789,12 Valiasr Street,Tehran,1511733311,IR,1990-04-02\n"+
		"s2,Omid,Rahimpour,omid.rahimpour@example.net,+98 935 111 2233,7 Enghelab Street,Shiraz,7134845678,IR,1985-11-20\n")
	run(exitOK, "import", shop, "--source", "shop")
	// The same person from the CRM, another address: a suggestion whose
	// evidence shows both records' values.
	crm := write("crm.csv", header+
		"c9,Parisa,Karimizadeh,p.karimizadeh@example.com,+98 912 345 6789,12 Valiasr Street,Tehran,1511733311,IR,1990-04-02\n")
	run(exitOK, "import", crm, "--source", "crm")
	ids := stewardIDs(t, run(exitOK, "export", "--steward-ids", "--raw", "--out", "-"))
	parisa, crmParisa, omid := ids["parisa.karimizadeh@example.org"], ids["p.karimizadeh@example.com"], ids["omid.rahimpour@example.net"]
	if parisa == "" || crmParisa == "" || omid == "" {
		t.Fatalf("ids %v", ids)
	}
	// A merge with before-images; history (a new address for the
	// survivor); verifications; a suppression that names the address.
	run(exitOK, "merge", parisa, crmParisa, "--keep", parisa)
	run(exitOK, "import", write("shop2.csv", header+
		"s1,Parisa,Karimizadeh,parisa.k.1990@example.org,+98 912 345 6789,12 Valiasr Street,Tehran,1511733311,IR,1990-04-02\n"), "--source", "shop")
	run(exitOK, "run", "verify-emails", "--offline")
	run(exitOK, "suppress", "p.karimizadeh@example.com", "--reason", "unsubscribed")

	personal := []string{"parisa", "karimizadeh", "valiasr", "912345", "1511733311", "1990-04-02"}
	other := []string{"omid", "rahimpour", "enghelab", "935111", "7134845678", "1985-11-20"}
	if found := findValues(t, dsn, personal); len(found) < len(personal) {
		t.Fatalf("before erasing, the database holds only %v of %v", found, personal)
	}

	if out := run(exitUsage, "erase", crmParisa); !strings.Contains(out, "--yes") {
		t.Errorf("erase without --yes: %s", out)
	}
	out := run(exitOK, "erase", crmParisa, "--yes", "--json")
	if !strings.Contains(out, `"erased":true`) || !strings.Contains(out, parisa) {
		t.Errorf("erase of a merged member erases its survivor too: %s", out)
	}
	if found := findValues(t, dsn, personal); len(found) > 0 {
		t.Errorf("after erasing, the database still holds %v", found)
	}
	if found := findValues(t, dsn, other); len(found) != len(other) {
		t.Errorf("the other customer lost values: only %v of %v left", found, other)
	}
	if out := run(exitOK, "erase", parisa, "--yes"); !strings.Contains(out, "nothing left") {
		t.Errorf("erasing again: %s", out)
	}
	if out := run(exitConflict, "unmerge", "1"); !strings.Contains(out, "erased") {
		t.Errorf("undoing the erased customer's merge: %s", out)
	}

	// Imported again: landed (the CRM says so) but suppressed, every
	// address the person had.
	out = run(exitOK, "import", shop, "--source", "shop", "--json")
	if !strings.Contains(out, `"suppressed":1`) {
		t.Errorf("import again: %s", out)
	}
	run(exitOK, "import", write("again.csv", header+
		"x1,Parisa,K,parisa.k.1990@example.org,,,,,IR,\n"), "--source", "web")
	sendable := run(exitOK, "export", "--sendable", "--out", "-")
	if strings.Contains(sendable, "parisa") || !strings.Contains(sendable, "omid") {
		t.Errorf("sendable export after erasure and import:\n%s", sendable)
	}
}

// stewardIDs maps each email of an export to its customer id.
func stewardIDs(t *testing.T, export string) map[string]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(export)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("export: %v\n%s", err, export)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[col["email"]]] = r[col["id"]]
	}
	return out
}

// findValues returns the values of want that some column of some table
// of the database holds (case-insensitively; digits also with the
// separators a phone number's format puts between them removed).
func findValues(t *testing.T, dsn string, want []string) []string {
	t.Helper()
	var cells []string
	if store.KindOf(dsn) == store.Postgres {
		cells = postgresCells(t, dsn)
	} else {
		cells = sqliteCells(t, dsn)
	}
	var found []string
	for _, w := range want {
		for _, c := range cells {
			c = strings.ToLower(c)
			if strings.Contains(c, w) || strings.Contains(strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(c), w) {
				found = append(found, w)
				break
			}
		}
	}
	return found
}

func sqliteCells(t *testing.T, path string) []string {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if len(tables) < 15 {
		t.Fatalf("only tables %v", tables)
	}
	var cells []string
	for _, tb := range tables {
		rows, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", tb, err)
			}
			for _, v := range vals {
				cells = append(cells, v.String)
			}
		}
		rows.Close()
	}
	return cells
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func postgresCells(t *testing.T, dsn string) []string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 15 {
		t.Fatalf("tables %v: %v", tables, err)
	}
	var cells []string
	for _, tb := range tables {
		// A whole row as text: every column, JSON included.
		rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT t::text FROM %s t`, pgx.Identifier{tb}.Sanitize()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		cells = append(cells, got...)
	}
	return cells
}

// TestTokensUnsubscribe: the link and headers for a customer, under the
// base URL given; without a base URL, a usage error; an unknown customer,
// not found.
func TestTokensUnsubscribe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte("id,first_name,email\n1,Mia,mia@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runWith(t, nil, "import", in, "--source", "shop", "--db", db); code != exitOK {
		t.Fatal(errOut)
	}
	out, errOut, code := runWith(t, []string{"STEWARD_PUBLIC_URL=https://crm.example.com"}, "tokens", "unsubscribe", "1", "--list", "news", "--db", db)
	if code != exitOK || !strings.HasPrefix(out, "https://crm.example.com/u/") ||
		!strings.Contains(out, "List-Unsubscribe: <https://crm.example.com/u/") || !strings.Contains(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runWith(t, nil, "tokens", "unsubscribe", "1", "--db", db); code != exitUsage || !strings.Contains(errOut, "--base-url") {
		t.Errorf("without a base URL: exit %d %s", code, errOut)
	}
	if _, errOut, code := runWith(t, nil, "tokens", "unsubscribe", "99", "--base-url", "https://x.example", "--db", db); code != exitNotFound {
		t.Errorf("unknown customer: exit %d %s", code, errOut)
	}
}

// TestImportsCommand: the imports history at the command line: a
// committed import and a refused file listed newest first; one shown;
// an unknown id is not found.
func TestImportsCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("id,first_name,email\n1,Mia,mia@example.org\n2,Bo,not-an-email\n"), 0o600)
	os.WriteFile(bad, append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...), 0o600)
	runWith(t, []string{"USER=ann"}, "import", good, "--source", "shop", "--db", db)
	runWith(t, nil, "import", bad, "--source", "crm", "--db", db)
	out, errOut, code := runWith(t, nil, "imports", "list", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 || !strings.Contains(lines[1], "bad.csv") || !strings.Contains(lines[1], "failed") ||
		!strings.Contains(lines[2], "good.csv") || !strings.Contains(lines[2], "committed") || !strings.Contains(lines[2], "cli:ann") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	out, _, code = runWith(t, nil, "imports", "show", "1", "--db", db)
	if code != exitOK || !strings.Contains(out, "by cli:ann") || !strings.Contains(out, "source shop: 2 rows") ||
		!strings.Contains(out, "rejected   1 row ") || !strings.Contains(out, "not kept here") || strings.Contains(out, "not-an-email") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
	if _, _, code := runWith(t, nil, "imports", "show", "9", "--db", db); code != exitNotFound {
		t.Errorf("unknown import: exit %d", code)
	}
}
