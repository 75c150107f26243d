package server

import (
	"bytes"
	"context"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/suppress"
)

// unsubscribeLinkRequest asks for an unsubscribe link of a customer's
// address, for every message or for one list.
type unsubscribeLinkRequest struct {
	List string `json:"list,omitempty"`
}

// OneClickLink is a link and the headers a message carries it in
// (RFC 8058 one-click unsubscribe).
type OneClickLink struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// unsubscribeLink answers POST /api/v1/customers/{id}/unsubscribe-links:
// a link that unsubscribes the customer's current email address from the
// list (every message when none), signed so that it cannot be forged or
// turned to another address.
func (s *Server) unsubscribeLink(r *http.Request, c *call) (*response, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var req unsubscribeLinkRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return nil, err
		}
	}
	if s.cfg.Keys == nil {
		return nil, errNoKeys()
	}
	c.target = "customer:" + strconv.FormatInt(id, 10)
	cu, err := s.st.Customer(r.Context(), id)
	if err != nil {
		return nil, err
	}
	base := s.cfg.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	link, err := UnsubscribeLink(s.cfg.Keys, base, cu, req.List)
	if err != nil {
		return nil, err
	}
	return &response{body: link}, nil
}

// UnsubscribeLink returns the one-click unsubscribe link of customer c's
// email address for list ("" for every message) under base, and the two
// headers a message carries it in.
func UnsubscribeLink(k *suppress.Keys, base string, c *steward.Customer, list string) (*OneClickLink, error) {
	if c.Status != steward.StatusActive {
		return nil, steward.Errorf(steward.ECONFLICT, "Customer %d is %s: only an active customer's address gets unsubscribe links.", c.ID, c.Status)
	}
	addr := suppress.Normalize(steward.ChannelEmail, c.Record.Email, "")
	if addr == "" {
		return nil, steward.FieldErrorf(steward.EINVALID, "email", "Customer %d has no email address to unsubscribe.", c.ID)
	}
	if len(list) > 64 {
		return nil, steward.FieldErrorf(steward.EINVALID, "list", "A list name has at most 64 bytes, not %d.", len(list))
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, steward.Errorf(steward.EINVALID, "The public URL %q is not an http(s) address such as https://crm.example.com.", base)
	}
	tok, err := k.Mint(suppress.Token{CustomerID: c.ID, List: list, AddressHash: k.Hash(steward.ChannelEmail, addr)})
	if err != nil {
		return nil, err
	}
	link := strings.TrimSuffix(u.String(), "/") + "/u/" + tok
	return &OneClickLink{URL: link, Headers: map[string]string{
		"List-Unsubscribe":      "<" + link + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}}, nil
}

// suppressionsOf returns the suppressions of customer c's email address
// and phone number; none without keys.
func (s *Server) suppressionsOf(ctx context.Context, c *steward.Customer) ([]*steward.Suppression, error) {
	out := []*steward.Suppression{}
	if s.cfg.Keys == nil {
		return out, nil
	}
	for _, a := range []struct {
		ch steward.Channel
		v  string
	}{{steward.ChannelEmail, c.Record.Email}, {steward.ChannelSMS, c.Record.Phone}} {
		n := suppress.Normalize(a.ch, a.v, s.cfg.Region)
		if n == "" {
			continue
		}
		ss, err := s.st.Suppressions(ctx, s.cfg.Keys.Hash(a.ch, n))
		if err != nil {
			return nil, err
		}
		out = append(out, ss...)
	}
	return out, nil
}

// registerUnsubscribe adds the recipients' side of one-click
// unsubscribe, outside the API and its tokens: GET /u/{token} shows a
// page with a button (link scanners fetch links; they must not
// unsubscribe anyone), POST /u/{token} with List-Unsubscribe=One-Click
// (RFC 8058; form-urlencoded or multipart) suppresses the address at
// once: no cookie, no login, no redirect, the
// same answer however often. A token that does not verify, or whose
// address cannot be found any more, changes nothing and says only that
// the link is not valid.
func (s *Server) registerUnsubscribe() {
	s.mux.HandleFunc("GET /u/{token}", s.unsubscribePage)
	s.mux.HandleFunc("POST /u/{token}", s.unsubscribePost)
}

var unsubscribeTemplate = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:.3rem;background:#1d4ed8;color:#fff;cursor:pointer}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Text}}</p>
{{if .Form}}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>{{end}}
</body></html>
`))

type unsubscribeView struct {
	Title, Text string
	Form        bool
}

func (s *Server) unsubscribeAnswer(w http.ResponseWriter, status int, v unsubscribeView) {
	var b bytes.Buffer
	if err := unsubscribeTemplate.Execute(&b, v); err != nil {
		s.log.Warn("unsubscribe page", "error", err)
	}
	writePage(w, status, b.Bytes())
}

var invalidLink = unsubscribeView{Title: "This link is not valid", Text: "Nothing was changed. Use the unsubscribe link of a recent message, or reply to it and ask to be unsubscribed."}

func scopeText(list string) string {
	if list == "" {
		return "all messages"
	}
	return "the list “" + list + "”"
}

func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Keys == nil {
		s.unsubscribeAnswer(w, http.StatusServiceUnavailable, unsubscribeView{Title: "Try again later", Text: "Unsubscribing is not available right now; nothing was changed."})
		return
	}
	tok, err := s.cfg.Keys.Verify(r.PathValue("token"))
	if err != nil {
		s.unsubscribeAnswer(w, http.StatusNotFound, invalidLink)
		return
	}
	s.unsubscribeAnswer(w, http.StatusOK, unsubscribeView{Title: "Unsubscribe", Text: "Press the button to stop receiving " + scopeText(tok.List) + " at this address.", Form: true})
}

func (s *Server) unsubscribePost(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Keys == nil {
		s.unsubscribeAnswer(w, http.StatusServiceUnavailable, unsubscribeView{Title: "Try again later", Text: "Unsubscribing is not available right now; nothing was changed."})
		return
	}
	tok, err := s.cfg.Keys.Verify(r.PathValue("token"))
	if err != nil {
		s.unsubscribeAnswer(w, http.StatusNotFound, invalidLink)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(64 << 10)
	} else {
		err = r.ParseForm()
	}
	if err != nil || !strings.EqualFold(strings.TrimSpace(r.PostForm.Get("List-Unsubscribe")), "One-Click") {
		s.unsubscribeAnswer(w, http.StatusBadRequest, unsubscribeView{Title: "Nothing was changed",
			Text: "An unsubscribe request posts List-Unsubscribe=One-Click (RFC 8058). Open the link in a browser to unsubscribe with a button."})
		return
	}
	ctx := r.Context()
	addr, err := s.cfg.Keys.TokenAddress(ctx, s.st, tok)
	if err != nil {
		s.log.Error("unsubscribe", "customer", tok.CustomerID, "error", err)
		s.unsubscribeAnswer(w, http.StatusServiceUnavailable, unsubscribeView{Title: "Try again later", Text: "Your request could not be recorded just now; nothing was changed. Please try again in a few minutes."})
		return
	}
	if addr == "" {
		// Erased, or the address is no longer the customer's anywhere:
		// an erased customer's addresses are all suppressed already.
		if c, err := s.st.Customer(ctx, tok.CustomerID); err == nil && c.Status == steward.StatusErased {
			s.unsubscribeAnswer(w, http.StatusOK, unsubscribeView{Title: "You are unsubscribed", Text: "This address receives no more messages from us."})
			return
		}
		s.unsubscribeAnswer(w, http.StatusNotFound, invalidLink)
		return
	}
	sp := &steward.Suppression{Channel: steward.ChannelEmail, Address: addr, Hash: s.cfg.Keys.Hash(steward.ChannelEmail, addr),
		Scope: tok.List, Reason: steward.ReasonUnsubscribed, Source: "one-click", Actor: "recipient",
		Evidence: "customer " + strconv.FormatInt(tok.CustomerID, 10)}
	if _, err := s.st.Suppress(ctx, sp); err != nil {
		s.log.Error("unsubscribe", "customer", tok.CustomerID, "error", err)
		s.unsubscribeAnswer(w, http.StatusServiceUnavailable, unsubscribeView{Title: "Try again later", Text: "Your request could not be recorded just now; nothing was changed. Please try again in a few minutes."})
		return
	}
	s.log.Info("unsubscribed", "customer", tok.CustomerID, "list", tok.List)
	text := "This address receives no more messages from us."
	if tok.List != "" {
		text = "This address receives no more of " + scopeText(tok.List) + " from us."
	}
	s.unsubscribeAnswer(w, http.StatusOK, unsubscribeView{Title: "You are unsubscribed", Text: text})
}
