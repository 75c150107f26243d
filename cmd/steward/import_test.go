package main

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/importer"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/sqlite"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// importSamples holds the sample import files.
const importSamples = "../../testdata/import"

// runWith runs the CLI in-process with the environment variables env
// ("NAME=value") and returns stdout, stderr and the exit code, as a user
// running the command would see them.
func runWith(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	vars := map[string]string{"XDG_CACHE_HOME": t.TempDir()}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb strings.Builder
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code := Main(context.Background(), e, args)
	return out.String(), errb.String(), code
}

// TestImportCommand runs "steward import" on the sample files: flags before and
// after the file, JSON and human summaries, reports, dry run, exit codes.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "steward.db")
	shop := filepath.Join(importSamples, "shop-fa-1256.csv")
	rejects, annotated := filepath.Join(dir, "rejects.csv"), filepath.Join(dir, "annotated.csv")

	// Dry run: reports, exit 1 for the rejected rows, an empty database.
	out, errOut, code := runWith(t, nil, "import", shop, "--source", "shop", "--db", db, "--dry-run", "--json", "--rejects", rejects)
	if code != 1 {
		t.Fatalf("dry run exit %d, want 1 (rows rejected)\n%s%s", code, out, errOut)
	}
	var sum importer.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	// Row 3's email (two @) is left out and the row kept for its phone;
	// row 4 has no contact at all.
	if !sum.DryRun || sum.Rows != 6 || sum.Accepted != 5 || sum.Rejected != 1 || sum.Created != 5 || sum.Suggestions != 1 || sum.Dropped["email"] != 1 {
		t.Errorf("dry run summary %+v", sum)
	}
	if data, err := os.ReadFile(rejects); err != nil || strings.Count(string(data), "\n") != 2 {
		t.Errorf("dry-run rejects file: %v\n%s", err, data)
	}
	// A dry run creates nothing, not even the database.
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a dry run made the database: %v", err)
	}

	// The import itself, database from STEWARD_DB, flags before the file.
	env := []string{"STEWARD_DB=" + db}
	out, errOut, code = runWith(t, env, "import", "--source", "shop", "--annotated", annotated, shop)
	if code != 1 || !strings.Contains(out, "accepted   5 (created 5") || !strings.Contains(out, "rejected   1") || !strings.Contains(out, "dropped    email 1") {
		t.Fatalf("import exit %d\n%s%s", code, out, errOut)
	}
	if data, err := os.ReadFile(annotated); err != nil || !strings.Contains(string(data), "steward_status,steward_code,steward_message,steward_matched_id") {
		t.Errorf("annotated file: %v\n%s", err, data)
	}
	// Like every file steward writes (the database, export,
	// standardize): personal data, readable by its owner only.
	for _, f := range []string{rejects, annotated, db} {
		if fi, err := os.Stat(f); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode())
		}
	}
	st, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	// SQLite gives its write-ahead log the database file's mode.
	if fi, err := os.Stat(db + "-wal"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("write-ahead log: %v, want mode 0600", err)
	}
	st.Close()
	// Again: nothing new.
	out, _, _ = runWith(t, env, "import", shop, "--source", "shop", "--json")
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Unchanged != 5 || sum.Created != 0 {
		t.Errorf("re-import: %v %+v", err, sum)
	}
	// A clean file exits 0.
	out, errOut, code = runWith(t, env, "import", filepath.Join(importSamples, "partner-1252.csv"), "--source", "partner", "--on-duplicate", "block")
	if code != 0 || !strings.Contains(out, "windows-1252") {
		t.Errorf("clean import exit %d\n%s%s", code, out, errOut)
	}

	// The rules file decides the duplicate action and the limits.
	rulesFile := filepath.Join(dir, "steward.yaml")
	os.WriteFile(rulesFile, []byte("version: 1\ngate:\n  on_duplicate: block\n"), 0o644)
	fresh := []string{"STEWARD_DB=" + filepath.Join(dir, "rules.db"), "STEWARD_RULES=" + rulesFile}
	out, errOut, _ = runWith(t, fresh, "import", shop, "--source", "shop", "--json")
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Blocked != 1 || sum.Created != 4 {
		t.Errorf("rules on_duplicate block: %v %+v\n%s", err, sum, errOut)
	}
	out, _, _ = runWith(t, fresh, "import", shop, "--source", "shop2", "--json", "--on-duplicate", "suggest")
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Blocked != 0 || sum.Suggestions == 0 {
		t.Errorf("--on-duplicate overrides the rules: %v %+v", err, sum)
	}
	os.WriteFile(rulesFile, []byte("version: 1\ngate:\n  limits:\n    max_fields: 3\n"), 0o644)
	_, errOut, code = runWith(t, fresh, "import", shop, "--source", "shop")
	if code != exitRefused || !strings.Contains(errOut, "limit of 3") {
		t.Errorf("rules max_fields 3: exit %d, %s", code, errOut)
	}

	// A truncated file: exit 6, nothing imported, no report left behind.
	data, _ := os.ReadFile(filepath.Join(importSamples, "callcentre-utf16.csv"))
	broken := filepath.Join(dir, "broken.csv")
	os.WriteFile(broken, data[:len(data)-1], 0o644)
	brokenRejects := filepath.Join(dir, "broken-rejects.csv")
	_, errOut, code = runWith(t, env, "import", broken, "--source", "cc", "--rejects", brokenRejects)
	if code != exitRefused || !strings.Contains(errOut, "nothing was imported") {
		t.Errorf("truncated file: exit %d, stderr %s", code, errOut)
	}
	if _, err := os.Stat(brokenRejects); !os.IsNotExist(err) {
		t.Errorf("a failed import left a rejects file: %v", err)
	}

	// Usage errors and a missing file.
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", shop}, 2, "shop-fa-1256.csv has no source column: --source is needed"},
		{[]string{"import", "--source", "x"}, 2, "name the file"},
		{[]string{"import", shop, "--source", "x", "--on-duplicate", "ignore"}, 2, "--on-duplicate"},
		{[]string{"import", shop, "--source", "x", "--encoding", "ebcdic"}, 2, "--encoding"},
		{[]string{"import", shop, "other.csv", "--source", "x"}, 2, "unexpected arguments"},
		{[]string{"import", filepath.Join(dir, "nope.csv"), "--source", "x"}, 3, "does not exist"},
	} {
		_, errOut, code := runWith(t, env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("steward %s: exit %d, stderr %q; want %d and %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.want)
		}
	}
}

// TestImportCommandPostgres runs "steward import" against PostgreSQL (a fresh
// schema named in the URL) and checks what landed.
func TestImportCommandPostgres(t *testing.T) {
	st, schema := storetest.PostgresEmpty(t)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	cacheEnv := []string{"XDG_CACHE_HOME=" + t.TempDir()}
	out, errOut, code := runWith(t, cacheEnv, "import", filepath.Join(importSamples, "shop-fa-1256.csv"), "--source", "shop", "--db", u.String(), "--json")
	var sum importer.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != 1 || sum.Created != 5 || sum.Index != "database" {
		t.Fatalf("exit %d, %v %+v\n%s", code, err, sum, errOut)
	}
	// The second import finds the duplicate index in the cache the first
	// one wrote.
	out, errOut, code = runWith(t, cacheEnv, "import", filepath.Join(importSamples, "shop-fa-1256.csv"), "--source", "shop2", "--db", u.String(), "--json")
	sum = importer.Summary{}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Index != "cache" || sum.Duplicates == 0 {
		t.Fatalf("second import: exit %d, %v %+v\n%s", code, err, sum, errOut)
	}
	if c, err := st.CustomerBySource(context.Background(), "shop", "6"); err != nil || c.Record.FirstName != "پرویز" {
		t.Errorf("shop/6 = %+v (%v)", c, err)
	}
}

// TestImportSummarySaysWhatHappened: the summary's words match what became
// of the rows (suspected duplicates of suggest mode are stored, with
// suggestions), it shows the first rejected rows with their reasons when
// there is no rejects file, and merge without automatic merging is
// refused with the setting to change.
func TestImportSummarySaysWhatHappened(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	shop := filepath.Join(importSamples, "shop-fa-1256.csv")
	out, errOut, code := runWith(t, nil, "import", shop, "--source", "shop", "--db", db)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"stored as new customers, with 1 merge suggestions", "not imported:", "line 5 (id 4): no_valid_contact:", "dropped    email 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	_, errOut, code = runWith(t, nil, "import", shop, "--source", "shop2", "--db", db, "--on-duplicate", "merge")
	if code != exitUsage || !strings.Contains(errOut, "automatic merging is off") || !strings.Contains(errOut, "matching.auto_merge") {
		t.Errorf("merge without automatic merging: exit %d, %s", code, errOut)
	}
}

// TestImportDateOrder: --date-order reads dates like 05/01/1993 for this
// file instead of leaving them out (or rejecting the row, when the rules
// say so).
func TestImportDateOrder(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,email,birth_date\n1,Ann,ann.lee@gmail.com,05/01/1993\n"), 0o600)
	db := filepath.Join(dir, "crm.db")
	out, _, code := runWith(t, nil, "import", in, "--source", "s", "--db", db, "--dry-run")
	if code != exitOK || !strings.Contains(out, "dropped    birth_date 1") {
		t.Errorf("without --date-order: exit %d\n%s", code, out)
	}
	strict := writeRules(t, "strict.yaml", "fields:\n  birth_date: {on_invalid: reject}\n")
	out, _, code = runWith(t, nil, "import", in, "--source", "s", "--db", db, "--dry-run", "--rules", strict)
	if code != exitFindings || !strings.Contains(out, "invalid_datetime") {
		t.Errorf("without --date-order, birth_date on_invalid reject: exit %d\n%s", code, out)
	}
	out, errOut, code := runWith(t, nil, "import", in, "--source", "s", "--db", db, "--date-order", "dmy", "--json")
	var sum importer.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != exitOK || sum.Created != 1 {
		t.Fatalf("--date-order dmy: exit %d, %v %s %s", code, err, out, errOut)
	}
	st, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if c, err := st.CustomerBySource(context.Background(), "s", "1"); err != nil || c.Record.BirthDate != "1993-01-05" {
		t.Errorf("stored %+v (%v), want 1993-01-05", c, err)
	}
}

// TestImportInfersColumns: files whose columns are not canonical (an odd
// export, a Shopify export, Persian headers) were rejected whole; their
// columns are now matched by name and content, the matching is printed
// before the summary and in --json, and a mapping written out with
// --write-mapping imports the same rows as the inference did.
func TestImportInfersColumns(t *testing.T) {
	tests := []struct {
		file string
		// before and after: accepted and rejected rows with --no-infer
		// and without.
		before, after [2]int
		// matched are lines of the printed matching.
		matched []string
	}{
		{"odd-headers.csv", [2]int{0, 5}, [2]int{4, 1}, []string{
			"Name           → first_name  by name: a full name, split into first and last name when standardized",
			"E-mail Address → email       by name", "Mobile         → phone       by name"}},
		{"shopify-customers.csv", [2]int{1, 9}, [2]int{9, 1}, []string{
			"First Name              → first_name                 by name",
			"Accepts Email Marketing → email_opt_out (attribute)  by name: yes/no read as true/false, negated",
			"Zip                     → postal_code                by name",
			"kept as attributes: province, country code, total spent, total orders, tags, note, tax exempt"}},
		{"persian-headers.csv", [2]int{0, 5}, [2]int{4, 1}, []string{
			"نام خانوادگی → last_name      by name", "کد ملی       → national_id    by name: 4 of 4 values are Iranian national ids"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(importSamples, tt.file)
			summary := func(args ...string) importer.Summary {
				t.Helper()
				out, errOut, _ := runWith(t, nil, append([]string{"import", in, "--source", "shop", "--json"}, args...)...)
				var sum importer.Summary
				if err := json.Unmarshal([]byte(out), &sum); err != nil {
					t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
				}
				return sum
			}
			before := summary("--db", filepath.Join(dir, "before.db"), "--dry-run", "--no-infer")
			if got := [2]int{before.Accepted, before.Rejected}; got != tt.before || before.Columns != nil {
				t.Errorf("--no-infer: accepted, rejected %v, want %v; columns %+v", got, tt.before, before.Columns)
			}
			after := summary("--db", filepath.Join(dir, "after.db"))
			if got := [2]int{after.Accepted, after.Rejected}; got != tt.after {
				t.Errorf("inferred: accepted, rejected %v, want %v (%+v)", got, tt.after, after.RejectedBy)
			}
			if after.Columns == nil || len(after.Columns.Columns) == 0 {
				t.Fatalf("--json has no columns: %+v", after)
			}

			// The matching is printed before the summary, in a dry run too.
			out, _, _ := runWith(t, nil, "import", in, "--source", "shop", "--db", filepath.Join(dir, "dry.db"), "--dry-run")
			summaryAt := strings.Index(out, tt.file+" (csv")
			for _, m := range tt.matched {
				if i := strings.Index(out, m); i < 0 || i > summaryAt {
					t.Errorf("the matching lacks %q before the summary:\n%s", m, out)
				}
			}

			// Written out and read back, the mapping imports the same.
			mapping := filepath.Join(dir, "mapping.yaml")
			written := summary("--db", filepath.Join(dir, "write.db"), "--dry-run", "--write-mapping", mapping)
			data, err := os.ReadFile(mapping)
			if err != nil || !strings.Contains(string(data), "--mapping mapping.yaml") || written.Accepted != after.Accepted {
				t.Fatalf("--write-mapping: %v, accepted %d\n%s", err, written.Accepted, data)
			}
			mapped := summary("--db", filepath.Join(dir, "mapped.db"), "--mapping", mapping)
			if mapped.Accepted != after.Accepted || mapped.Rejected != after.Rejected || mapped.Columns != nil {
				t.Errorf("--mapping: accepted %d rejected %d, inferred: %d %d", mapped.Accepted, mapped.Rejected, after.Accepted, after.Rejected)
			}
			a, _, _ := runWith(t, nil, "export", "--db", filepath.Join(dir, "after.db"), "--out", "-")
			b, _, _ := runWith(t, nil, "export", "--db", filepath.Join(dir, "mapped.db"), "--out", "-")
			if a != b || strings.Count(a, "\n") != after.Accepted+1 {
				t.Errorf("imported with the written mapping:\n%s\nwith the inferred one:\n%s", b, a)
			}
		})
	}
}

// TestImportInferredValues: what the inferred mapping does to values: a
// full name split in two, a negated yes/no in an attribute, an invalid
// optional value left out.
func TestImportInferredValues(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	runWith(t, nil, "import", filepath.Join(importSamples, "shopify-customers.csv"), "--source", "shopify", "--db", db)
	runWith(t, nil, "import", filepath.Join(importSamples, "odd-headers.csv"), "--source", "odd", "--db", db)
	st, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []steward.Record
	err = st.EachCustomer(context.Background(), steward.CustomerFilter{}, func(c *steward.Customer) error {
		got = append(got, c.Record)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	find := func(email string) *steward.Record {
		for i := range got {
			if got[i].Email == email {
				return &got[i]
			}
		}
		t.Fatalf("no customer %s among %d", email, len(got))
		return nil
	}
	if r := find("john.smith@gmail.com"); r.FirstName != "John" || r.LastName != "Smith" || r.Phone != "+447911123456" {
		t.Errorf("odd headers: %+v, want John / Smith / +447911123456", r)
	}
	if r := find("emily.walsh@gmail.com"); r.Attributes["email_opt_out"] != "false" || r.Attributes["sms_opt_out"] != "true" || r.Region != "MA" || r.PostalCode != "02108" {
		t.Errorf("Shopify: %+v, want email_opt_out false (accepts), sms_opt_out true, region MA, zip 02108", r)
	}
	if r := find("sophia.reyes@gmail.com"); r.Phone != "" || r.City != "AUSTIN" {
		t.Errorf("Shopify phone 12: %+v, want the phone left out, the rest kept", r)
	}
}

// TestImportMappingFlags: --write-mapping goes with inference only.
func TestImportMappingFlags(t *testing.T) {
	in := filepath.Join(importSamples, "odd-headers.csv")
	for _, args := range [][]string{{"--write-mapping", "m.yaml", "--mapping", "x.yaml"}, {"--write-mapping", "m.yaml", "--no-infer"}} {
		_, errOut, code := runWith(t, nil, append([]string{"import", in, "--source", "s", "--dry-run"}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "--write-mapping") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
}

// TestImportRepairsValues: through the command, a US ZIP code without its
// leading zero, an Iranian mobile with a Persian address and no country,
// and an address copied with its display name are stored repaired, each
// counted among the warnings and named in --findings.
func TestImportRepairsValues(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,first_name,last_name,email,phone,address_line1,postal_code,country\n"+
		"1,Ann,Lee,ann.lee@gmail.com,,12 Elm St,2134,US\n"+
		"2,Ali,Rezaei,,09121234567,خیابان آزادی,,\n"+
		"3,John,Doe,\"\"\"Doe, John\"\" <john.doe@gmail.com>\",,,,\n"), 0o600)
	db := filepath.Join(dir, "crm.db")
	findings := filepath.Join(dir, "findings.csv")
	out, errOut, code := runWith(t, nil, "import", in, "--source", "s", "--db", db, "--findings", findings, "--json")
	var sum importer.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || code != exitOK || sum.Created != 3 || sum.Warnings != 3 {
		t.Fatalf("exit %d, %v, summary %s %s; want 3 created with warnings", code, err, out, errOut)
	}
	report, err := os.ReadFile(findings)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1,created,postal_code,postal.leading_zero,warning", "2,created,country,country.inferred,warning", "3,created,email,email.display_name,warning"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("findings lack %q:\n%s", want, report)
		}
	}
	st, err := store.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for id, want := range map[string][2]string{"1": {"postal_code", "02134"}, "2": {"country", "IR"}, "3": {"email", "john.doe@gmail.com"}} {
		if c, err := st.CustomerBySource(context.Background(), "s", id); err != nil || c.Record.Get(want[0]) != want[1] {
			t.Errorf("row %s stored %+v (%v), want %s %s", id, c, err, want[0], want[1])
		}
	}
}

// TestImportSourcesFromTheRows: without --source, each row's source column
// names its system (a file that steward export wrote imports as it is);
// a row without one is rejected saying what to do, and the history names
// the sources the rows named.
func TestImportSourcesFromTheRows(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	mixed := filepath.Join(dir, "mixed.csv")
	os.WriteFile(mixed, []byte("id,source,first_name,email\n1,shop,Ann,ann@gmail.com\n2,crm,Bo,bo@gmail.com\n3,,Cy,cy@gmail.com\n"), 0o600)
	out, errOut, code := runWith(t, nil, "import", mixed, "--db", db)
	if code != exitFindings || !strings.Contains(out, "sources named by the rows: crm, shop") || !strings.Contains(out, "source_missing") ||
		!strings.Contains(errOut, "hint: 1 row names no source system: import the file with --source NAME") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	st, err := sqlite.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for src, id := range map[string]string{"shop": "1", "crm": "2"} {
		if c, err := st.CustomerBySource(context.Background(), src, id); err != nil || c.Record.FirstName == "" {
			t.Errorf("%s/%s: %+v, %v", src, id, c, err)
		}
	}
	out, _, _ = runWith(t, nil, "imports", "list", "--db", db)
	if !strings.Contains(out, "(several)") {
		t.Errorf("imports list does not say the rows named several sources:\n%s", out)
	}
	if out, _, _ = runWith(t, nil, "imports", "show", "1", "--db", db); !strings.Contains(out, "sources named by the rows: crm, shop") {
		t.Errorf("imports show does not name the rows' sources:\n%s", out)
	}
	// A file whose rows all name one system is filed under it.
	one := filepath.Join(dir, "one.csv")
	os.WriteFile(one, []byte("id,source,first_name,email\n7,pos,Di,di@gmail.com\n"), 0o600)
	if _, errOut, code := runWith(t, nil, "import", one, "--db", db); code != exitOK {
		t.Fatalf("one source: exit %d %s", code, errOut)
	}
	if out, _, _ = runWith(t, nil, "imports", "list", "--source", "pos", "--db", db); !strings.Contains(out, "one.csv") {
		t.Errorf("imports list --source pos:\n%s", out)
	}
	// A file with no source column is refused before a row is read, and
	// is no import in the history.
	bare := filepath.Join(dir, "bare.csv")
	os.WriteFile(bare, []byte("id,first_name,email\n1,Ann,ann@gmail.com\n"), 0o600)
	if _, errOut, code := runWith(t, nil, "import", bare, "--db", db); code != exitUsage || !strings.Contains(errOut, "bare.csv has no source column") ||
		!strings.Contains(errOut, "hint: name the system the file comes from, e.g. --source shop") {
		t.Errorf("no source column: exit %d, %s", code, errOut)
	}
	if out, _, _ = runWith(t, nil, "imports", "list", "--db", db); strings.Contains(out, "bare.csv") {
		t.Errorf("the refused file is in the history:\n%s", out)
	}
	// --source fills the rows without one; the others keep theirs.
	out, errOut, code = runWith(t, nil, "import", mixed, "--source", "web", "--db", db)
	if code != exitOK || !strings.Contains(out, "source web") || strings.Contains(errOut, "hint") {
		t.Errorf("with --source: exit %d\n%s%s", code, out, errOut)
	}
	if c, err := st.CustomerBySource(context.Background(), "web", "3"); err != nil || c.Record.FirstName != "Cy" {
		t.Errorf("web/3: %+v, %v", c, err)
	}
}
