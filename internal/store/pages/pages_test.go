package pages_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/pages"
)

// table is an in-memory id-ordered table that counts its open reads.
type table struct {
	ids     []int64
	reading atomic.Int32
	failAt  int64
}

func (tb *table) read(ctx context.Context, after int64, n int) ([]*steward.Customer, error) {
	tb.reading.Add(1)
	defer tb.reading.Add(-1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []*steward.Customer
	for _, id := range tb.ids {
		if id > after && len(out) < n {
			if tb.failAt != 0 && id == tb.failAt {
				return nil, errors.New("disk on fire")
			}
			out = append(out, &steward.Customer{ID: id})
		}
	}
	return out, nil
}

func TestEach(t *testing.T) {
	tb := &table{}
	for i := int64(1); i <= 2500; i++ {
		if i%3 != 0 {
			tb.ids = append(tb.ids, i*2)
		}
	}
	tests := []struct {
		name  string
		f     steward.CustomerFilter
		first int64
		n     int
	}{
		{"all", steward.CustomerFilter{}, 2, len(tb.ids)},
		{"after", steward.CustomerFilter{AfterID: 1000}, 1004, 1333},
		{"limit across pages", steward.CustomerFilter{Limit: 250}, 2, 250},
		{"limit at a page end", steward.CustomerFilter{Limit: 200}, 2, 200},
		{"after the end", steward.CustomerFilter{AfterID: 1 << 40}, 0, 0},
	}
	for _, tt := range tests {
		for _, prefetch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/prefetch=%v", tt.name, prefetch), func(t *testing.T) {
				var got []int64
				err := pages.Each(context.Background(), tt.f, 100, prefetch, tb.read, func(c *steward.Customer) error {
					got = append(got, c.ID)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tt.n || (tt.n > 0 && got[0] != tt.first) {
					t.Fatalf("got %d ids starting %v, want %d starting %d", len(got), got[:min(1, len(got))], tt.n, tt.first)
				}
				var want []int64
				for _, id := range tb.ids {
					if id > tt.f.AfterID && (tt.f.Limit == 0 || len(want) < tt.f.Limit) {
						want = append(want, id)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ids differ from the table's order")
				}
			})
		}
	}
}

func TestEachStops(t *testing.T) {
	tb := &table{}
	for i := int64(1); i <= 1000; i++ {
		tb.ids = append(tb.ids, i)
	}
	stop := errors.New("stop")
	for _, prefetch := range []bool{false, true} {
		seen := 0
		err := pages.Each(context.Background(), steward.CustomerFilter{}, 10, prefetch, tb.read, func(*steward.Customer) error {
			seen++
			if seen == 55 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || seen != 55 {
			t.Errorf("prefetch=%v: %v after %d, want stop after 55", prefetch, err, seen)
		}
		if n := tb.reading.Load(); n != 0 {
			t.Errorf("prefetch=%v: %d reads still running after Each returned", prefetch, n)
		}

		tb.failAt = 333
		seen = 0
		err = pages.Each(context.Background(), steward.CustomerFilter{}, 10, prefetch, tb.read, func(*steward.Customer) error {
			seen++
			return nil
		})
		tb.failAt = 0
		if err == nil || err.Error() != "disk on fire" || seen != 330 {
			t.Errorf("prefetch=%v: read error: %v after %d, want it after 330", prefetch, err, seen)
		}

		ctx, cancel := context.WithCancel(context.Background())
		seen = 0
		err = pages.Each(ctx, steward.CustomerFilter{}, 10, prefetch, tb.read, func(*steward.Customer) error {
			seen++
			if seen == 15 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || seen > 20 {
			t.Errorf("prefetch=%v: cancelled: %v after %d", prefetch, err, seen)
		}
	}
}
