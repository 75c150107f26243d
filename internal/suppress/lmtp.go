package suppress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/emersion/go-smtp"
)

// NewLMTPServer returns an LMTP server (RFC 2033) that ingests every
// message delivered to it, for an MTA to hand the bounce, complaint and
// unsubscribe mailboxes to: Postfix's "lmtp:inet:HOST:PORT" transport,
// Exim's lmtp transport. Each message is applied before it is accepted; a
// message that cannot be classified is kept aside (in.Aside) and accepted;
// a message that cannot be judged now (DNS), kept aside or applied is
// answered with a temporary failure (451), so the MTA keeps it and tries
// again. ctx bounds the work of every message; serve it with Serve(ln) and
// stop it with Close or Shutdown.
func NewLMTPServer(ctx context.Context, in *Ingester, log *slog.Logger) *smtp.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := smtp.NewServer(&lmtpBackend{ctx: ctx, in: in, log: log})
	s.LMTP = true
	s.Domain = "steward"
	s.MaxMessageBytes = maxMessage
	s.MaxRecipients = 100
	s.ReadTimeout = 2 * time.Minute
	s.WriteTimeout = 2 * time.Minute
	s.ErrorLog = slogPrinter{log}
	return s
}

type lmtpBackend struct {
	ctx context.Context
	in  *Ingester
	log *slog.Logger
}

func (b *lmtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &lmtpSession{b: b, remote: c.Conn().RemoteAddr().String()}, nil
}

type lmtpSession struct {
	b      *lmtpBackend
	remote string
	env    Envelope
}

func (s *lmtpSession) Reset()        { s.env = Envelope{} }
func (s *lmtpSession) Logout() error { return nil }

func (s *lmtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.env.From = from
	return nil
}

func (s *lmtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.env.To = append(s.env.To, to)
	return nil
}

// Data is never called in LMTP mode (LMTPData is); it ingests the same.
func (s *lmtpSession) Data(r io.Reader) error {
	return s.ingest(r)
}

// LMTPData ingests the message once and gives every recipient its status.
func (s *lmtpSession) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := s.ingest(r)
	for _, to := range s.env.To {
		status.SetStatus(to, err)
	}
	return nil
}

func (s *lmtpSession) ingest(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.b.ctx, time.Minute)
	defer cancel()
	res, err := s.b.in.IngestMessage(ctx, raw, s.env, "lmtp:"+s.remote)
	switch {
	case err == nil:
		s.b.log.Info("lmtp message", "message_id", messageIDOf(res), "kind", kindOf(res), "kept_aside", res.Aside, "findings", len(res.Applied))
		return nil
	case IsTemporary(err):
		s.b.log.Warn("lmtp message deferred", "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 3}, Message: "cannot judge the message now, try again later"}
	}
	s.b.log.Error("lmtp message not ingested", "remote", s.remote, "err", err)
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message now, try again later"}
}

func messageIDOf(r Result) string {
	if r.Message != nil {
		return r.Message.ID
	}
	return ""
}

func kindOf(r Result) Kind {
	if r.Message != nil {
		return r.Message.Kind
	}
	return ""
}

// slogPrinter logs go-smtp's connection errors.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("lmtp", "msg", fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("lmtp", "msg", fmt.Sprint(v...)) }
