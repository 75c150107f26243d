package importer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/sqlite"
)

// cacheSteps is a sequence of imports and outside changes; each step
// says where the import should find the duplicate index when the cache is
// on, and how many duplicates it must catch.
type cacheStep struct {
	name string
	// before runs first: a change outside the gate, or damage to the cache.
	before func(t *testing.T, st steward.Store, cache string)
	file   string
	dryRun bool
	// index is where a cached run must find the index.
	index      string
	duplicates int
}

func cacheSteps() []cacheStep {
	return []cacheStep{
		{name: "first import builds the index", file: dupFile, index: "database", duplicates: 1},
		{name: "rows of the first import are found through the cache",
			file: "id,first_name,last_name,email,phone,city,country\n" +
				"k2,Kian,Sharifi,kian.sharifi@gmail.com,+98 912 555 0000,Karaj,IR\n",
			index: "cache", duplicates: 1},
		{name: "a customer created outside the gate makes the cache stale",
			before: func(t *testing.T, st steward.Store, _ string) {
				c := &steward.Customer{Record: steward.Record{Source: "crm", SourceID: "c2", FirstName: "Parisa", LastName: "Ahmadi",
					Email: "parisa.ahmadi@yahoo.com", Phone: "+989351112233", Country: "IR"}}
				if err := st.CreateCustomer(context.Background(), c, steward.Meta{Actor: "test"}); err != nil {
					t.Fatal(err)
				}
			},
			file:  "id,first_name,last_name,email,phone,country\np1,Parisa,Ahmadi,parisa.ahmadi@yahoo.com,0935 111 2233,IR\n",
			index: "database", duplicates: 1},
		{name: "an update through the gate reaches the cache",
			file:  "id,first_name,last_name,email,phone,country\nn2,Kian,Sharifi,kian.s@outlook.com,09125550000,IR\n",
			index: "cache", duplicates: 0}, // its new email sets it apart from k2
		{name: "the updated record is matched",
			file:  "id,first_name,last_name,email,phone,country\nk3,Kian,Sharifi,kian.s@outlook.com,0912 555 0000,IR\n",
			index: "cache", duplicates: 1},
		{name: "a dry run leaves the cache as it was",
			file:   "id,first_name,last_name,email,phone,country\nd1,Bahram,Nouri,bahram.nouri@gmail.com,09121110000,IR\n",
			dryRun: true, index: "cache", duplicates: 0},
		{name: "rows of a dry run were never stored",
			file:  "id,first_name,last_name,email,phone,country\nd2,Bahram,Nouri,bahram.nouri@gmail.com,09121110000,IR\n",
			index: "cache", duplicates: 0},
		{name: "a damaged cache is rebuilt",
			before: func(t *testing.T, _ steward.Store, cache string) {
				if cache == "" {
					return
				}
				b, err := os.ReadFile(cache)
				if err != nil {
					t.Fatal(err)
				}
				b[len(b)/2] ^= 0x55
				if err := os.WriteFile(cache, b, 0o644); err != nil {
					t.Fatal(err)
				}
			},
			file:  "id,first_name,last_name,email,phone,country\nd3,Bahram,Nouri,bahram.nouri@gmail.com,+98 912 111 0000,IR\n",
			index: "database", duplicates: 1},
		{name: "and used again",
			file:  "id,first_name,last_name,email,phone,country\nd4,Bahram,Nouri,bahram.nouri@gmail.com,09121110000,IR\n",
			index: "cache", duplicates: 1},
		{name: "the log of the last imports is replayed",
			file:  "id,first_name,last_name,email,phone,country\nd5,Bahram,Nouri,bahram.nouri@gmail.com,+98 912 111 0000,IR\n",
			index: "cache", duplicates: 1},
		{name: "a torn log is not trusted",
			before: func(t *testing.T, _ steward.Store, cache string) {
				if cache == "" {
					return
				}
				fi, err := os.Stat(cache + ".log")
				if err != nil {
					t.Fatalf("no log after imports that used the cache: %v", err)
				}
				if err := os.Truncate(cache+".log", fi.Size()-3); err != nil {
					t.Fatal(err)
				}
			},
			file:  "id,first_name,last_name,email,phone,country\nd6,Bahram,Nouri,bahram.nouri@gmail.com,09121110000,IR\n",
			index: "database", duplicates: 1},
	}
}

// TestIndexCache runs the same imports and outside changes on two
// databases, one with the duplicate index cache and one without: every
// import must find the same duplicates and leave the same database, and
// the cached one must read the index from the cache exactly when nothing
// but the gate changed customers since it was written.
func TestIndexCache(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			testIndexCache(t, b.open(t), b.open(t), 0)
		})
	}
	// The cache built again from the database instead of updated: the same
	// answers.
	t.Run("rebuilt", func(t *testing.T) {
		testIndexCache(t, backends()[0].open(t), backends()[0].open(t), 1)
	})
}

func testIndexCache(t *testing.T, cached, plain steward.Store, rebuildAbove int) {
	cache := filepath.Join(t.TempDir(), "steward.db.index")
	seedCustomer(t, cached)
	seedCustomer(t, plain)
	for _, step := range cacheSteps() {
		if step.before != nil {
			step.before(t, cached, cache)
			step.before(t, plain, "")
		}
		path := writeTemp(t, "in.csv", step.file)
		got := mustImport(t, cached, path, Options{Source: "shop", DryRun: step.dryRun, IndexCache: cache, rebuildAbove: rebuildAbove})
		want := mustImport(t, plain, path, Options{Source: "shop", DryRun: step.dryRun})
		if got.Index != step.index {
			t.Errorf("%s: index from %q, want %q", step.name, got.Index, step.index)
		}
		if want.Index != "database" {
			t.Errorf("%s: without a cache the index came from %q", step.name, want.Index)
		}
		if got.Duplicates != step.duplicates || want.Duplicates != step.duplicates {
			t.Errorf("%s: %d duplicates with the cache, %d without, want %d", step.name, got.Duplicates, want.Duplicates, step.duplicates)
		}
		if got.Created != want.Created || got.Updated != want.Updated || got.Suggestions != want.Suggestions {
			t.Errorf("%s: with the cache %+v, without %+v", step.name, got, want)
		}
	}
	if a, b := dbState(t, cached), dbState(t, plain); a != b {
		t.Errorf("databases differ:\nwith the cache:\n%s\nwithout:\n%s", a, b)
	}
}

// TestStaleCacheTempsRemoved: a temporary file a crashed cache write left
// behind goes at the next write; a fresh one (a write still going on) stays.
func TestStaleCacheTempsRemoved(t *testing.T) {
	st := backends()[0].open(t)
	cache := filepath.Join(t.TempDir(), "steward.db.index")
	stale, fresh := cache+".tmp111", cache+".tmp222"
	for _, name := range []string{stale, fresh} {
		if err := os.WriteFile(name, []byte("half a cache"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, long, long); err != nil {
		t.Fatal(err)
	}
	mustImport(t, st, writeTemp(t, "in.csv", dupFile), Options{Source: "shop", IndexCache: cache})
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file removed: %v", err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Errorf("cache not written: %v", err)
	}
}

// TestIndexCacheAfterRestore: a database put back to a backup and then
// changed as many times as the cache's state had seen is not taken for
// that state: the generation's token differs, and the index is rebuilt.
func TestIndexCacheAfterRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, backup := filepath.Join(dir, "steward.db"), filepath.Join(dir, "backup.db")
	cache := path + ".index"
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	seedCustomer(t, st)
	st.Close()
	copyFile(t, path, backup)

	st, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum := mustImport(t, st, writeTemp(t, "a.csv", dupFile), Options{Source: "shop", IndexCache: cache}); sum.Index != "database" {
		t.Fatalf("first import: index from %q", sum.Index)
	}
	st.Close()

	// Restore the backup, then change a customer once outside the gate:
	// the generation's count is the one the cache saw again.
	copyFile(t, backup, path)
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	st, err = sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &steward.Customer{Record: steward.Record{Source: "crm", SourceID: "c9", FirstName: "Kian", LastName: "Sharifi",
		Email: "k.sharifi@mail.ir", Phone: "+989125550000", Country: "IR"}}
	if err := st.CreateCustomer(ctx, c, steward.Meta{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	sum := mustImport(t, st, writeTemp(t, "b.csv", "id,first_name,last_name,phone,country\nz1,Kian,Sharifi,09125550000,IR\n"), Options{Source: "shop", IndexCache: cache})
	if sum.Index != "database" {
		t.Errorf("after a restore the index came from %q", sum.Index)
	}
	if sum.Duplicates != 1 {
		t.Errorf("%d duplicates, want z1 caught as crm/c9 (a stale index would offer shop/n2, which the restore undid)", sum.Duplicates)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestIndexCacheTies: a customer updated through the gate moves to the end
// of the cached index, but among candidates of equal weight the import
// still picks the one a fresh index picks (the lowest id), so both
// databases end the same.
func TestIndexCacheTies(t *testing.T) {
	cached, plain := backends()[0].open(t), backends()[0].open(t)
	cache := filepath.Join(t.TempDir(), "steward.db.index")
	steps := []string{
		"id,first_name,last_name,email,phone,city,country\n" +
			"a1,Kian,Sharifi,kian.sharifi@gmail.com,+98 912 555 0000,Karaj,IR\n" +
			"a2,Kian,Sharifi,kian.sharifi@gmail.com,+98 912 555 0000,Karaj,IR\n",
		// An update of a1 that changes nothing matching compares.
		"id,first_name,last_name,email,phone,city,country,note\n" +
			"a1,Kian,Sharifi,kian.sharifi@gmail.com,+98 912 555 0000,Karaj,IR,vip\n",
		"id,first_name,last_name,email,phone,city,country\n" +
			"b1,Kian,Sharifi,kian.sharifi@gmail.com,+98 912 555 0000,Karaj,IR\n",
	}
	for _, f := range steps {
		path := writeTemp(t, "in.csv", f)
		mustImport(t, cached, path, Options{Source: "shop", IndexCache: cache})
		mustImport(t, plain, path, Options{Source: "shop"})
	}
	if a, b := dbState(t, cached), dbState(t, plain); a != b {
		t.Errorf("with the cache:\n%s\n\nwithout:\n%s", a, b)
	}
}
