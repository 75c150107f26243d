package suppress

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/steward-crm/steward"
)

// Ingester reads inbound mail (files, mboxes, Maildirs, or one message
// from LMTP), classifies each message and applies it to the database.
// Messages that cannot be classified are kept aside with the reason; none
// is dropped, and none stops the run.
type Ingester struct {
	Classifier *Classifier
	Applier    *Applier
	Store      steward.Store
	// Aside keeps the messages that cannot be classified; nil reports
	// them and leaves them where they are.
	Aside  *AsideDir
	Logger *slog.Logger
	// Batch is how many messages one transaction applies (default 200).
	Batch int
	// Transact runs the writes of one batch, fn, in a transaction; results
	// are the batch's results, filled by fn. nil is Store.Atomic. A job
	// sets it to its run's Step, so that a batch's counts and checkpoint
	// commit with it.
	Transact func(ctx context.Context, results []Result, fn func(ctx context.Context, st steward.Store) error) error
}

// Result is what became of one message.
type Result struct {
	Origin  string    `json:"origin"`
	Message *Message  `json:"message,omitempty"`
	Applied []Applied `json:"applied,omitempty"`
	// Aside is why the message was kept aside, and AsideFile where.
	Aside     string `json:"kept_aside,omitempty"`
	AsideFile string `json:"aside_file,omitempty"`
	// Deferred is why the message could not be judged now; it is left
	// where it is, for the next run.
	Deferred string `json:"deferred,omitempty"`
}

// Summary counts what an ingest did.
type Summary struct {
	Messages int `json:"messages"`
	// Kinds counts messages by kind; Effects counts findings by effect.
	Kinds   map[Kind]int   `json:"kinds"`
	Effects map[Effect]int `json:"effects"`
	// Suppressed counts new suppressions; AlreadySuppressed addresses
	// that were suppressed before.
	Suppressed        int `json:"suppressed"`
	AlreadySuppressed int `json:"already_suppressed"`
	// SoftBounces counts soft bounces counted now (not those read again).
	SoftBounces int `json:"soft_bounces_counted"`
	// Invalid counts customers' addresses marked invalid.
	Invalid   int `json:"marked_invalid"`
	KeptAside int `json:"kept_aside"`
	Deferred  int `json:"deferred"`
}

// Add counts one result.
func (s *Summary) Add(r Result) {
	s.Messages++
	if s.Kinds == nil {
		s.Kinds, s.Effects = make(map[Kind]int), make(map[Effect]int)
	}
	switch {
	case r.Aside != "":
		s.KeptAside++
		return
	case r.Deferred != "":
		s.Deferred++
		return
	}
	s.Kinds[r.Message.Kind]++
	for _, a := range r.Applied {
		s.Effects[a.Effect]++
		switch {
		case a.Suppressed:
			s.Suppressed++
		case a.Reason != "":
			s.AlreadySuppressed++
		}
		if a.Counted {
			s.SoftBounces++
		}
		s.Invalid += a.Invalid
	}
}

func (in *Ingester) logger() *slog.Logger {
	if in.Logger != nil {
		return in.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// IngestPath reads every message under path (see ReadMail) and calls fn
// with each one's result once it is committed. Messages of a Maildir that
// were applied are marked seen; those kept aside are moved to the aside
// folder (from other files they are copied). An error is one of the
// database or of reading the files: the messages applied before it stay
// applied, and ingesting again goes on where it stopped (applying a
// message twice changes nothing).
func (in *Ingester) IngestPath(ctx context.Context, path string, fn func(Result) error) error {
	batch := in.Batch
	if batch <= 0 {
		batch = 200
	}
	type pending struct {
		mail Mail
		msg  *Message
	}
	var todo []pending
	flush := func() error {
		if len(todo) == 0 {
			return nil
		}
		results := make([]Result, len(todo))
		err := in.transact(ctx, results, func(ctx context.Context, st steward.Store) error {
			for i, p := range todo {
				applied, err := in.Applier.ApplyMessage(ctx, st, p.msg)
				if err != nil {
					return fmt.Errorf("%s: %w", p.mail.Origin, err)
				}
				results[i] = Result{Origin: p.mail.Origin, Message: p.msg, Applied: applied}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, p := range todo {
			if p.mail.MaildirFile != "" {
				if err := MarkSeen(p.mail.MaildirFile); err != nil {
					in.logger().Warn("maildir message not marked seen", "file", p.mail.MaildirFile, "err", err)
				}
			}
			if err := fn(results[i]); err != nil {
				return err
			}
		}
		todo = todo[:0]
		return nil
	}
	err := ReadMail(ctx, path, func(m Mail) error {
		msg, res, err := in.classify(ctx, m, Envelope{})
		if err != nil {
			return err
		}
		if msg == nil {
			// Kept aside or deferred: nothing for the database.
			if res.Aside != "" && m.MaildirFile != "" && res.AsideFile != "" {
				if err := os.Remove(m.MaildirFile); err != nil {
					in.logger().Warn("maildir message kept aside but not removed", "file", m.MaildirFile, "err", err)
				}
			}
			return fn(res)
		}
		todo = append(todo, pending{mail: m, msg: msg})
		if len(todo) >= batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (in *Ingester) transact(ctx context.Context, results []Result, fn func(ctx context.Context, st steward.Store) error) error {
	if in.Transact != nil {
		return in.Transact(ctx, results, fn)
	}
	return in.Store.Atomic(ctx, fn)
}

// classify classifies one message; a message that is kept aside or
// deferred returns a nil Message and its Result.
func (in *Ingester) classify(ctx context.Context, m Mail, env Envelope) (*Message, Result, error) {
	res := Result{Origin: m.Origin}
	var msg *Message
	var err error
	if m.TooLarge {
		err = aside("message larger than %d MiB", maxMessage>>20)
	} else {
		msg, err = in.Classifier.Classify(ctx, m.Raw, env)
	}
	var ae *AsideError
	switch {
	case err == nil:
		return msg, res, nil
	case errors.As(err, &ae):
		res.Aside = ae.Reason
		if in.Aside != nil {
			file, _, kerr := in.Aside.Keep(m.Raw, m.Origin, ae.Reason, time.Now())
			if kerr != nil {
				return nil, res, kerr
			}
			res.AsideFile = file
		}
		in.logger().Info("message kept aside", "origin", m.Origin, "reason", ae.Reason, "file", res.AsideFile)
		return nil, res, nil
	case IsTemporary(err):
		res.Deferred = err.Error()
		in.logger().Warn("message deferred", "origin", m.Origin, "reason", err)
		return nil, res, nil
	}
	return nil, res, err
}

// IngestMessage classifies and applies one message delivered with env
// (LMTP). A message kept aside is stored in the aside folder (an error when
// that fails, so that the MTA keeps it and tries again); a message that
// cannot be judged now is an error wrapping ErrTemporary.
func (in *Ingester) IngestMessage(ctx context.Context, raw []byte, env Envelope, origin string) (Result, error) {
	m := Mail{Origin: origin, Raw: raw, TooLarge: len(raw) > maxMessage}
	msg, res, err := in.classify(ctx, m, env)
	if err != nil {
		return res, err
	}
	if msg == nil {
		if res.Deferred != "" {
			return res, fmt.Errorf("%s: %w", res.Deferred, ErrTemporary)
		}
		if res.AsideFile == "" {
			return res, errors.New("no aside folder to keep the message in")
		}
		return res, nil
	}
	res.Message = msg
	err = in.Store.Atomic(ctx, func(ctx context.Context, st steward.Store) error {
		applied, err := in.Applier.ApplyMessage(ctx, st, msg)
		res.Applied = applied
		return err
	})
	return res, err
}
