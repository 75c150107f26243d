// Package pages streams customers page by page for the store backends'
// EachCustomer: keyset pagination by id, and, where the backend can read on
// another connection, the next page read while the caller works on the
// current one.
package pages

import (
	"context"

	"github.com/steward-crm/steward"
)

// Reader returns up to n customers with an id above after, in id order;
// fewer than n means there are no more.
type Reader func(ctx context.Context, after int64, n int) ([]*steward.Customer, error)

// Each calls fn for every customer read returns, in id order, starting
// after f.AfterID and stopping after f.Limit customers (0: no limit), with
// pages of size. With prefetch, the next page is read in another goroutine
// while fn works, so at most three pages are in memory; read must then be
// safe to call from another goroutine (a connection pool, not a
// transaction). An error from fn is returned as it is; Each returns only
// after its reader goroutine has stopped.
func Each(ctx context.Context, f steward.CustomerFilter, size int, prefetch bool, read Reader, fn func(*steward.Customer) error) error {
	if !prefetch {
		return each(ctx, f, size, read, func(cs []*steward.Customer) error {
			for _, c := range cs {
				if err := fn(c); err != nil {
					return err
				}
			}
			return ctx.Err()
		})
	}
	type page struct {
		cs  []*steward.Customer
		err error
	}
	rctx, cancel := context.WithCancel(ctx)
	ch := make(chan page, 1)
	go func() {
		defer close(ch)
		err := each(rctx, f, size, read, func(cs []*steward.Customer) error {
			select {
			case ch <- page{cs: cs}:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
		if err != nil && rctx.Err() == nil {
			ch <- page{err: err}
		}
	}()
	defer func() {
		cancel()
		for range ch { // wait for the reader to stop
		}
	}()
	for p := range ch {
		if p.err != nil {
			return p.err
		}
		for _, c := range p.cs {
			if err := fn(c); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// each reads page after page and hands each to use.
func each(ctx context.Context, f steward.CustomerFilter, size int, read Reader, use func([]*steward.Customer) error) error {
	after, left := f.AfterID, f.Limit
	for {
		n := size
		if f.Limit > 0 && left < n {
			n = left
		}
		if n == 0 {
			return nil
		}
		cs, err := read(ctx, after, n)
		if err != nil {
			return err
		}
		if len(cs) > 0 {
			if err := use(cs); err != nil {
				return err
			}
		}
		if len(cs) < n {
			return nil
		}
		after = cs[len(cs)-1].ID
		left -= len(cs)
	}
}
