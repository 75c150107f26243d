package importer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/gen"
	"github.com/steward-crm/steward/internal/records"
	"github.com/steward-crm/steward/internal/store"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// Environment of the helper process that TestKillMidImport starts from
// this test binary.
const (
	helperEnv      = "GATE_IMPORT_HELPER" // database DSN
	helperFileEnv  = "GATE_IMPORT_FILE"
	helperPauseEnv = "GATE_IMPORT_PAUSE_AFTER" // batches, then block until killed
)

func TestMain(m *testing.M) {
	if dsn := os.Getenv(helperEnv); dsn != "" {
		os.Exit(importHelper(dsn))
	}
	os.Exit(m.Run())
}

// importHelper imports GATE_IMPORT_FILE into dsn, printing "batch N" after
// each batch written inside the transaction; with GATE_IMPORT_PAUSE_AFTER
// it stops there, the transaction open, until it is killed.
func importHelper(dsn string) int {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	pause, _ := strconv.Atoi(os.Getenv(helperPauseEnv))
	f, err := os.Open(os.Getenv(helperFileEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer f.Close()
	batches := 0
	ns := notifyingStore{Store: st, batches: &batches, pause: pause}
	sum, err := Import(ctx, ns, f, Options{FileOptions: records.FileOptions{Name: "customers.csv"}, Source: "shop"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("done %d created\n", sum.Created)
	return 0
}

// notifyingStore reports every batch of new customers on stdout.
type notifyingStore struct {
	steward.Store
	batches *int
	pause   int
}

func (s notifyingStore) Atomic(ctx context.Context, fn func(context.Context, steward.Store) error, opts ...steward.TxOption) error {
	return s.Store.Atomic(ctx, func(ctx context.Context, tx steward.Store) error {
		return fn(ctx, notifyingStore{Store: tx, batches: s.batches, pause: s.pause})
	}, opts...)
}

func (s notifyingStore) CreateCustomers(ctx context.Context, cs []*steward.Customer, m steward.Meta) error {
	if err := s.Store.CreateCustomers(ctx, cs, m); err != nil {
		return err
	}
	*s.batches++
	fmt.Printf("batch %d\n", *s.batches)
	if s.pause > 0 && *s.batches >= s.pause {
		select {} // wait for SIGKILL
	}
	return nil
}

// generatedCSV writes n generated customers (with duplicates) as CSV,
// every row from source and with ids prefix1, prefix2 …, so that files
// made with different prefixes do not share source records.
func generatedCSV(t testing.TB, n int, seed uint64, source, prefix string) []byte {
	t.Helper()
	recs := csvRecords(t, generatedRaw(t, n, seed))
	for i := range recs {
		recs[i].Source, recs[i].SourceID = source, prefix+strconv.Itoa(i+1)
	}
	return recordsCSV(t, recs)
}

// generatedRaw returns the CSV file `steward gen` writes for n and seed.
func generatedRaw(t testing.TB, n int, seed uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gen.Generate(context.Background(), gen.Options{N: n, Seed: seed, DupRate: gen.DefaultDupRate}, &buf, nil, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// csvRecords reads the records of a CSV file.
func csvRecords(t testing.TB, file []byte) []steward.Record {
	t.Helper()
	rd, err := records.NewReader(bytes.NewReader(file), records.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// recordsCSV writes recs as a CSV file.
func recordsCSV(t testing.TB, recs []steward.Record) []byte {
	t.Helper()
	var out bytes.Buffer
	w := records.NewWriter(&out, nil)
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestKillMidImport kills (SIGKILL) an import process in the middle of its
// transaction, after batches were written, checks that the database is as
// it was, runs the same import again, and compares the result with an
// uninterrupted import into another database.
func TestKillMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	seed := generatedCSV(t, 1500, 11, "crm", "c")
	input := generatedCSV(t, 3*batchSize+500, 12, "shop", "s") // more than three batches
	dir := t.TempDir()
	seedFile, inputFile := filepath.Join(dir, "seed.csv"), filepath.Join(dir, "customers.csv")
	os.WriteFile(seedFile, seed, 0o644)
	os.WriteFile(inputFile, input, 0o644)

	type db struct {
		st  steward.Store
		dsn string
	}
	kinds := []struct {
		name string
		open func(t *testing.T) db
	}{
		{"sqlite", func(t *testing.T) db {
			path := filepath.Join(t.TempDir(), "steward.db")
			st, err := store.Open(context.Background(), path, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return db{st, path}
		}},
		{"postgres", func(t *testing.T) db {
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
			return db{st, u.String()}
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			killed, clean := k.open(t), k.open(t)
			for _, d := range []db{killed, clean} {
				mustImport(t, d.st, seedFile, Options{Source: "crm"})
			}
			before := dbState(t, killed.st)

			// Start the import and kill it inside its transaction.
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+killed.dsn, helperFileEnv+"="+inputFile, helperPauseEnv+"=3")
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			reached := make(chan bool, 1)
			go func() {
				for lines.Scan() {
					if lines.Text() == "batch 3" {
						reached <- true
						break
					}
				}
				io.Copy(io.Discard, out)
				close(reached)
			}()
			select {
			case ok := <-reached:
				if !ok {
					cmd.Wait()
					t.Fatalf("the import ended before its third batch: %s", stderr.String())
				}
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatal("the import did not reach its third batch in 2 minutes")
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			if after := dbState(t, killed.st); after != before {
				t.Fatalf("the killed import left changes in the database")
			}

			// Run it again to the end, in a process as well.
			cmd = exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+killed.dsn, helperFileEnv+"="+inputFile)
			rerun, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(rerun), "done") {
				t.Fatalf("rerun: %v\n%s", err, rerun)
			}

			sum := mustImport(t, clean.st, inputFile, Options{FileOptions: records.FileOptions{Name: "customers.csv"}, Source: "shop"})
			if sum.Created == 0 || sum.Suggestions == 0 {
				t.Fatalf("the uninterrupted import created %d and suggested %d: the test needs both", sum.Created, sum.Suggestions)
			}
			got, want := dbState(t, killed.st), dbState(t, clean.st)
			if got != want {
				t.Errorf("killed and rerun import differs from an uninterrupted one:\n%s", firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line of two renderings.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < min(len(al), len(bl)); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(al), len(bl))
}
