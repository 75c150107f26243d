package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/suppress"
	"github.com/steward-crm/steward/rules"
)

// mountSuppressionWebhooks mounts the email providers' webhooks on mux,
// each one whose secret the environment gives (the others stay unmounted):
//
//	POST /webhooks/sendgrid         STEWARD_SENDGRID_WEBHOOK_KEY (the verification key SendGrid shows)
//	POST /webhooks/mailgun          STEWARD_MAILGUN_SIGNING_KEY
//	GET|POST /webhooks/mailchimp    STEWARD_MAILCHIMP_WEBHOOK_SECRET (the URL's ?secret=)
//	POST /webhooks/ses              STEWARD_SES_TOPICS (the SNS topic ARNs, separated by commas)
//
// They authenticate by their own schemes: mount them outside the API's
// token check. It returns the paths mounted.
func mountSuppressionWebhooks(mux *http.ServeMux, env *Env, st steward.Store, r *rules.Rules, keys *suppress.Keys) ([]string, error) {
	s := r.Suppression
	w := &suppress.Webhooks{Applier: &suppress.Applier{Keys: keys, Rules: &s, Actor: "webhook"}, Store: st, Logger: envLogger(env)}
	var mounted []string
	if k := env.Getenv("STEWARD_SENDGRID_WEBHOOK_KEY"); k != "" {
		pub, err := suppress.ParseSendGridKey(k)
		if err != nil {
			return nil, usagef("set STEWARD_SENDGRID_WEBHOOK_KEY to the verification key of SendGrid's signed Event Webhook", "%v", err)
		}
		mux.Handle("POST /webhooks/sendgrid", w.SendGrid(pub))
		mounted = append(mounted, "/webhooks/sendgrid")
	}
	if k := env.Getenv("STEWARD_MAILGUN_SIGNING_KEY"); k != "" {
		mux.Handle("POST /webhooks/mailgun", w.Mailgun([]byte(k)))
		mounted = append(mounted, "/webhooks/mailgun")
	}
	if k := env.Getenv("STEWARD_MAILCHIMP_WEBHOOK_SECRET"); k != "" {
		if len(k) < 16 {
			return nil, usagef("openssl rand -hex 16", "STEWARD_MAILCHIMP_WEBHOOK_SECRET is too short to be a secret: 16 characters or more")
		}
		mux.Handle("/webhooks/mailchimp", w.Mailchimp(k))
		mounted = append(mounted, "/webhooks/mailchimp")
	}
	if t := env.Getenv("STEWARD_SES_TOPICS"); t != "" {
		var topics []string
		for _, a := range strings.Split(t, ",") {
			if a = strings.TrimSpace(a); a != "" {
				topics = append(topics, a)
			}
		}
		mux.Handle("POST /webhooks/ses", w.SES(&suppress.HTTPSNS{}, topics))
		mounted = append(mounted, "/webhooks/ses")
	}
	return mounted, nil
}

// startLMTP listens on addr for LMTP deliveries of inbound mail (bounces,
// complaints, unsubscribe requests), ingested into st as "steward ingest
// mail" does, unclassifiable messages kept aside in the rules'
// suppression.aside_dir (else ./failed). It serves until ctx ends or stop
// is called, and returns the address it listens on.
func startLMTP(ctx context.Context, env *Env, addr string, st steward.Store, r *rules.Rules, keys *suppress.Keys, dnsServer string) (net.Addr, func(), error) {
	resolver, err := mailResolver(r, false, dnsServer)
	if err != nil {
		return nil, nil, err
	}
	mode, err := fileMode(env)
	if err != nil {
		return nil, nil, err
	}
	in := mailIngester(st, r, keys, resolver, "lmtp")
	in.Logger = envLogger(env)
	aside := r.Suppression.AsideDir
	if aside == "" {
		aside = "failed"
	}
	in.Aside = &suppress.AsideDir{Dir: aside, Mode: mode}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("lmtp: %w", err)
	}
	srv := suppress.NewLMTPServer(ctx, in, envLogger(env))
	go srv.Serve(ln)
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			srv.Close()
		case <-stopped:
		}
	}()
	envLogger(env).Info("lmtp listening", "addr", ln.Addr().String(), "aside", aside)
	var once sync.Once
	return ln.Addr(), func() { once.Do(func() { close(stopped); srv.Close() }) }, nil
}

// suppressionWebhookVars are the environment variables that turn the
// webhooks on.
var suppressionWebhookVars = []string{"STEWARD_SENDGRID_WEBHOOK_KEY", "STEWARD_MAILGUN_SIGNING_KEY", "STEWARD_MAILCHIMP_WEBHOOK_SECRET", "STEWARD_SES_TOPICS"}

// serveSuppressions prepares what "steward serve" adds for suppressions:
// mount, which mounts the webhooks the environment configures on the
// server's mux, and, with lmtpAddr, the LMTP listener, started now and
// ended by stop. With neither configured it reads no keys and does
// nothing, so a server without them needs no suppression keys.
func serveSuppressions(ctx context.Context, env *Env, db string, st steward.Store, r *rules.Rules, lmtpAddr, dnsServer string) (mount func(*http.ServeMux) error, stop func(), err error) {
	hooks := false
	for _, v := range suppressionWebhookVars {
		hooks = hooks || env.Getenv(v) != ""
	}
	mount, stop = func(*http.ServeMux) error { return nil }, func() {}
	if !hooks && lmtpAddr == "" {
		return mount, stop, nil
	}
	keys, err := suppressionKeys(env, db)
	if err != nil {
		return nil, nil, err
	}
	if hooks {
		mount = func(mux *http.ServeMux) error {
			paths, err := mountSuppressionWebhooks(mux, env, st, r, keys)
			if err == nil {
				envLogger(env).Info("suppression webhooks", "paths", paths)
			}
			return err
		}
	}
	if lmtpAddr != "" {
		if _, stop, err = startLMTP(ctx, env, lmtpAddr, st, r, keys, dnsServer); err != nil {
			return nil, nil, usagef("name a free HOST:PORT with --lmtp", "%v", err)
		}
	}
	return mount, stop, nil
}
