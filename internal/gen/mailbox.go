package gen

import (
	"cmp"
	"context"
	"hash/maphash"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// tagMailbox is the random stream of the address an entity gets when its
// first choice was someone else's.
const tagMailbox uint64 = 0x452821e638d01377

// claimMailboxes gives every mailbox one owner, as a mail provider does:
// an entity whose first-choice address (mohammad71@gmail.com) an earlier
// entity already holds is marked in g.taken and gets an address with a
// number of its own instead (ownMailbox). A mailbox a family shares on
// purpose is left shared. Drawn independently, addresses made of common
// names collided by the dozen: at a million records 24 people held
// mohammad71@gmail.com and 27,286 pairs of different people one address,
// a number that grew with the file as its namesakes did, and taught a
// matcher that one address is weak evidence of one person.
//
// The first choices are made in parallel (an entity's person is a pure
// function of its streams) and sorted by address, so that the owner is
// the entity made first whatever the number of CPUs.
func (g *generator) claimMailboxes(ctx context.Context) error {
	type claim struct {
		key uint64
		e   uint32
	}
	n := len(g.plan)
	claims := make([]claim, n)
	seed := maphash.MakeSeed()
	var next atomic.Int64
	var wg sync.WaitGroup
	const step = 4096
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(step)) - step
				if lo >= n || ctx.Err() != nil {
					return
				}
				for e := lo; e < min(lo+step, n); e++ {
					claims[e].e = uint32(e)
					if p := g.base(uint32(e)); p.email != "" && !p.sharedMail {
						claims[e].key = maphash.String(seed, strings.ToLower(p.email)) | 1
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	slices.SortFunc(claims, func(a, b claim) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.e, b.e)
	})
	g.taken = make([]uint64, (n+63)/64)
	for i := 1; i < n; i++ {
		if c := claims[i]; c.key != 0 && c.key == claims[i-1].key {
			g.taken[c.e>>6] |= 1 << (c.e & 63)
		}
	}
	return nil
}

// isTaken reports whether entity e's first-choice address belongs to an
// earlier entity.
func (g *generator) isTaken(e uint32) bool {
	return g.taken != nil && g.taken[e>>6]&(1<<(e&63)) != 0
}

// ownMailbox returns email with a number of entity e's own before the @:
// what a provider's sign-up page suggests when the name is taken.
func (g *generator) ownMailbox(email string, e uint32) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	r := newRand(g.opts.Seed, tagMailbox, uint64(e))
	return email[:at] + pick(r, []string{"", ".", "_"}) + digits(r, 5) + email[at:]
}
