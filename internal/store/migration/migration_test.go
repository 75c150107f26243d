package migration

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestNamesAndPending(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.sql":   {Data: []byte("x")},
		"m/0001_init.sql":   {Data: []byte("x")},
		"m/README.md":       {Data: []byte("x")},
		"m/0003_dir.sql/ab": {Data: []byte("x")},
	}
	names, err := Names(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"0001_init.sql", "0002_more.sql"}; !slices.Equal(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	if got := Pending(names, map[string]bool{"0001_init.sql": true}); !slices.Equal(got, []string{"0002_more.sql"}) {
		t.Fatalf("pending %v", got)
	}
	if _, err := Names(fsys, "missing"); err == nil {
		t.Fatal("a missing folder listed no error")
	}
}
