package importer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gate"
	"github.com/steward-crm/steward/internal/progress"
	"github.com/steward-crm/steward/internal/records"
)

// TestInvalidWarn stores rows with findings when on_invalid is warn, and
// still reports them.
func TestInvalidWarn(t *testing.T) {
	st := backends()[0].open(t)
	var ann bytes.Buffer
	file := "id,first_name,email,phone,country\n1,Ann,ann@@gmail.com,09121234567,IR\n2,Bob,bob.lee@gmail.com,,IR\n"
	sum := mustImport(t, st, writeTemp(t, "w.csv", file), Options{Policy: gate.Policy{OnInvalid: steward.InvalidWarn}, Source: "s", Annotated: &ann})
	if sum.Accepted != 2 || sum.Warnings != 1 || sum.Rejected != 0 {
		t.Fatalf("summary %+v, want both stored, one with findings", sum)
	}
	if !strings.Contains(ann.String(), "multiple_at") {
		t.Errorf("annotated copy does not report the finding:\n%s", ann.String())
	}
}

// TestDelimiter: a pipe-separated file, which detection (comma, tab,
// semicolon) reads as one column, imports with Options.Delimiter.
func TestDelimiter(t *testing.T) {
	st := backends()[0].open(t)
	file := writeTemp(t, "p.csv", "id|first_name|last_name|email|country\n1|Ann|Lee|ann.lee@gmail.com|US\n2|Reza|Karimi|reza.karimi@yahoo.com|IR\n")
	if sum, err := importFile(t, st, file, Options{Source: "p", DryRun: true}); err == nil && sum.Accepted != 0 {
		t.Fatalf("detected delimiter accepted %d rows of a pipe file, want none", sum.Accepted)
	}
	sum := mustImport(t, st, file, Options{FileOptions: records.FileOptions{Delimiter: '|'}, Source: "p"})
	if sum.Created != 2 {
		t.Fatalf("summary %+v, want 2 created", sum)
	}
	if c := customerBySource(t, st, "p", "2"); c.Record.LastName != "Karimi" || c.Record.Country != "IR" {
		t.Errorf("record %+v", c.Record)
	}
}

// TestMappingOnJSONLines applies a mapping file to rows that do not
// come from delimited text.
func TestMappingOnJSONLines(t *testing.T) {
	m, err := records.ParseMapping([]byte("source: forms\ncolumns:\n  id: ref\n  first_name: given\n  last_name: family\n  email: mail\n  country: {const: IR}\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	st := backends()[0].open(t)
	jsonl := `{"ref": "j1", "given": "Arash", "family": "Kamali", "mail": "arash.kamali@gmail.com", "note": "vip"}` + "\n"
	sum := mustImport(t, st, writeTemp(t, "m.jsonl", jsonl), Options{FileOptions: records.FileOptions{Mapping: m}, Source: "ignored"})
	if sum.Created != 1 {
		t.Fatalf("jsonl with mapping: %+v", sum)
	}
	c := customerBySource(t, st, "forms", "j1")
	if c.Record.FirstName != "Arash" || c.Record.Country != "IR" || c.Record.Attributes["note"] != "vip" {
		t.Errorf("mapped record %+v", c.Record)
	}
	// A mapping that names a column the file lacks stops the import.
	_, err = Import(context.Background(), st, strings.NewReader(`{"given": "A"}`+"\n"), Options{FileOptions: records.FileOptions{Mapping: m}, Source: "x"})
	if steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), `m.yaml:3:7: column "ref" is not in the header`) {
		t.Errorf("error %v, want the mapping line", err)
	}
}

// TestProgressCountsRows: without a terminal, the progress report logs the
// rows done.
func TestProgressCountsRows(t *testing.T) {
	st := backends()[0].open(t)
	var logs bytes.Buffer
	bar := progress.New("import", 0, nil, false, slog.New(slog.NewTextHandler(&logs, nil)))
	mustImport(t, st, "../../testdata/import/shop-fa-1256.csv", Options{Source: "shop", Progress: bar})
	if !strings.Contains(logs.String(), "import finished") || !strings.Contains(logs.String(), "done=6") || !strings.Contains(logs.String(), "total=6") {
		t.Errorf("progress log:\n%s", logs.String())
	}
}

// TestNotDuplicateRemembered: an updated row is not suggested again with a
// customer a steward said is someone else.
func TestNotDuplicateRemembered(t *testing.T) {
	st := backends()[0].open(t)
	old := seedCustomer(t, st)
	ctx := context.Background()
	twin := &steward.Customer{Record: steward.Record{Source: "shop", SourceID: "n1", FirstName: "علی", LastName: "رضایی",
		Email: "ali.rezaei@gmail.com", Country: "IR"}}
	if err := st.CreateCustomer(ctx, twin, steward.Meta{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddNotDuplicate(ctx, old.ID, twin.ID, steward.Meta{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	sum := mustImport(t, st, writeTemp(t, "dup.csv", dupFile), Options{Source: "shop"})
	if sum.Updated != 1 || sum.Suggestions != 0 {
		t.Errorf("summary %+v, want n1 updated and no suggestion against a not-duplicate pair", sum)
	}
}

// TestReportsBeforeCommit: reports are written, and made durable, before
// the import commits; when that fails (a full disk), nothing is imported.
func TestReportsBeforeCommit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		seedCustomer(t, st)
		before := dbState(t, st)
		var rejects bytes.Buffer
		committed := false
		opts := Options{Source: "shop", Rejects: &rejects, ReportsWritten: func() error {
			if n := countCustomers(t, st); n != 1 {
				committed = true
			}
			return errors.New("write rejects.csv: no space left on device")
		}}
		_, err := importFile(t, st, writeTemp(t, "dup.csv", dupFile+"n3,,,,,,\n"), opts)
		if err == nil || !strings.Contains(err.Error(), "no space left") || !strings.Contains(err.Error(), "nothing was imported") {
			t.Fatalf("error %v, want the report's failure and that nothing was imported", err)
		}
		if committed || !strings.Contains(rejects.String(), "n3") {
			t.Errorf("reports written after the commit (%v), or without the rejected row: %q", committed, rejects.String())
		}
		if after := dbState(t, st); after != before {
			t.Errorf("the database changed:\n%s", after)
		}
	})
}

// TestNULBytes: a NUL byte in an id, a name or an extra column rejects its
// row, naming the field, alike on SQLite and PostgreSQL (which cannot
// store one), and the other rows land; JSON Lines' \u0000 likewise.
func TestNULBytes(t *testing.T) {
	csvFile := "id,first_name,last_name,email,note\n" +
		"1\x00,Ann,Lee,ann.lee@gmail.com,\n" +
		"2,Bo\x00b,Lee,bob.lee@gmail.com,\n" +
		"3,Cy,Lee,cy.lee@gmail.com,a\x00b\n" +
		"4,Di,Lee,di.lee@gmail.com,fine\n"
	jsonFile := `{"id":"1","first_name":"Ann\u0000","email":"ann.lee@gmail.com"}` + "\n" +
		`{"id":"2","first_name":"Bob","email":"bob.lee@gmail.com"}` + "\n"
	forEachBackend(t, func(t *testing.T, st steward.Store) {
		var rejects bytes.Buffer
		sum := mustImport(t, st, writeTemp(t, "nul.csv", csvFile), Options{Source: "shop", Rejects: &rejects})
		if sum.Accepted != 1 || sum.Rejected != 3 || sum.Codes[gate.CodeNULByte] != 3 {
			t.Fatalf("summary %+v, want 3 rows rejected for NUL bytes and 1 accepted", sum)
		}
		for _, field := range []string{"nul_byte: id holds", "nul_byte: first_name holds", "nul_byte: note holds"} {
			if !strings.Contains(rejects.String(), field) {
				t.Errorf("rejects lack %q:\n%s", field, rejects.String())
			}
		}
		sum = mustImport(t, st, writeTemp(t, "nul.jsonl", jsonFile), Options{Source: "app"})
		if sum.Accepted != 1 || sum.Codes[gate.CodeNULByte] != 1 {
			t.Errorf("JSON Lines summary %+v, want the \\u0000 row rejected", sum)
		}
	})
	st := backends()[0].open(t)
	if _, err := importFile(t, st, writeTemp(t, "h.csv", "id,na\x00me\n1,x\n"), Options{Source: "s"}); steward.ErrorCode(err) != steward.EINVALID || !strings.Contains(steward.ErrorMessage(err), "NUL") {
		t.Errorf("a NUL in the header: %v, want it refused", err)
	}
}
