package importer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store/storetest"
)

func TestSpillRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		row     records.Row
		dropped []steward.FieldChange
	}{
		{name: "plain", row: records.Row{Num: 1, Line: 2, Raw: []string{"r1", "Ali", ""},
			Record: steward.Record{Source: "shop", SourceID: "r1", FirstName: "Ali", Email: "ali@example.com"}}},
		{name: "unreadable row keeps its text", row: records.Row{Num: 2, Line: 3, Text: "\"broken,row",
			Findings: []steward.Finding{{Code: records.CodeMalformedRow, Message: "bad quote", Severity: steward.SeverityError}}}},
		{name: "empty fields are not a missing row", row: records.Row{Num: 3, Line: 9, Raw: []string{}}},
		{name: "persian values, attributes and drops", row: records.Row{Num: 70000, Line: 70001, Raw: []string{"محمد", "x\ny"},
			Record:   steward.Record{FirstName: "محمد", LastName: "رضایی\u200cنژاد", Country: "IR", Attributes: map[string]string{"tier": "gold", "": "empty key"}},
			Findings: []steward.Finding{{Field: "phone", Code: "phone_invalid", Message: "no", Severity: steward.SeverityWarning}}},
			dropped: []steward.FieldChange{{Field: "phone", Before: "12", After: ""}}},
		{name: "empty attributes stay a map", row: records.Row{Num: 5, Line: 6, Record: steward.Record{Attributes: map[string]string{}}}},
		{name: "long value", row: records.Row{Num: 6, Line: 7, Raw: []string{strings.Repeat("a", 100_000)}}},
	}
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	offs := make([]int64, len(tests))
	for i, tt := range tests {
		if offs[i], err = sp.put(&tt.row, tt.dropped); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.finish(); err != nil {
		t.Fatal(err)
	}
	// Every row read in order, and every other row skipping the rest.
	for _, step := range []int{1, 2} {
		c := sp.cursor()
		for i := 0; i < len(tests); i += step {
			tt := tests[i]
			t.Run(tt.name, func(t *testing.T) {
				got, dropped, err := c.read(offs[i])
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(*got, tt.row) {
					t.Errorf("row read back\n got %#v\nwant %#v", *got, tt.row)
				}
				if !reflect.DeepEqual(dropped, tt.dropped) {
					t.Errorf("dropped read back: got %v, want %v", dropped, tt.dropped)
				}
			})
		}
		if _, _, err := c.read(offs[0]); err == nil {
			t.Error("reading behind the cursor: no error")
		}
	}
}

// TestSpillRefWhileWriting reads rows' source records back while more are
// put and nothing is finished: rows all on disk, a row split between the
// disk and the write buffer, and rows still in the buffer.
func TestSpillRefWhileWriting(t *testing.T) {
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	var offs []int64
	for batch := range 3 {
		// 25 rows of about 100 kB each: the 1 MiB buffer writes some
		// of them out and splits a row between the disk and itself.
		for range 25 {
			i := len(offs)
			r := records.Row{Num: i + 1, Line: i + 2, Raw: []string{strings.Repeat("x", 100_000)},
				Record: steward.Record{Source: "shop", SourceID: fmt.Sprint("id", i)}}
			off, err := sp.put(&r, nil)
			if err != nil {
				t.Fatal(err)
			}
			offs = append(offs, off)
		}
		for j := range offs {
			ref, err := sp.ref(offs[j])
			if err != nil {
				t.Fatalf("batch %d, row %d: %v", batch, j, err)
			}
			if want := (steward.SourceRef{Source: "shop", ID: fmt.Sprint("id", j)}); ref != want {
				t.Fatalf("batch %d, row %d: %v, want %v", batch, j, ref, want)
			}
		}
	}
}

// TestSpillLeavesNothing imports with the spill in a directory of its own:
// the spill file is gone from it while the import runs (so a killed import
// cannot leave it behind) and after it, whether the import succeeded or
// failed.
func TestSpillLeavesNothing(t *testing.T) {
	st := storetest.SQLite(t)
	dir := t.TempDir()
	empty := func(when string) {
		t.Helper()
		names, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) > 0 {
			t.Errorf("%s: spill directory holds %v", when, names[0].Name())
		}
	}
	file := writeTemp(t, "in.csv", "id,first_name,last_name,email\nr1,Ali,Rezaei,ali@example.com\nr2,Sara,Karimi,sara@example.com\n")
	sum := mustImport(t, st, file, Options{Source: "shop", SpillDir: dir, ReportsWritten: func() error {
		empty("during the import")
		return nil
	}})
	if sum.Created != 2 {
		t.Fatalf("created %d customers, want 2", sum.Created)
	}
	empty("after the import")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Import(ctx, st, f, Options{Source: "shop", SpillDir: dir}); err == nil {
		t.Fatal("a cancelled import succeeded")
	}
	empty("after a failed import")
}

func TestCompactCustomer(t *testing.T) {
	line := "r1,Ali,Rezaei,ali@example.com,gold"
	c := &steward.Customer{ID: 7, Status: steward.StatusActive, Version: 1, Record: steward.Record{Source: "shop", SourceID: line[0:2],
		FirstName: line[3:6], LastName: line[7:13], Email: line[14:29], Attributes: map[string]string{"tier": line[30:]}}}
	got := compactCustomer(c)
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("compact copy differs\n got %#v\nwant %#v", got, c)
	}
	got.Record.Attributes["tier"] = "silver"
	if c.Record.Attributes["tier"] != "gold" {
		t.Error("the copy shares its attributes with the original")
	}
}

// TestExternalIndexErrorSaysWhatToDo: a file error of the file's index on
// disk names the directory and what to do; an interruption passes as is.
func TestExternalIndexErrorSaysWhatToDo(t *testing.T) {
	full := &fs.PathError{Op: "write", Path: "/spill/steward-sort-1", Err: syscall.ENOSPC}
	err := externalIndexError("/spill", fmt.Errorf("sort file: %w", full))
	for _, want := range []string{"/spill", "no space left on device", "point TMPDIR elsewhere", "nothing was imported"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("%v does not wrap the file error", err)
	}
	if err := externalIndexError("/spill", context.Canceled); err != context.Canceled {
		t.Errorf("an interruption became %v", err)
	}
}
