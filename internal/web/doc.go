// Package web serves the data stewards' pages: sign-in, the review queue,
// a suggestion's records side by side with the evidence for the match, and
// a customer with its history and merges. The pages are rendered on the
// server with html/template from embedded templates and assets, work by
// plain form posts without JavaScript, and are quicker with the one small
// embedded script (keyboard shortcuts). Sessions are the database's
// session tokens, carried in an HttpOnly cookie; every change goes
// through the same domain calls, transaction and audit log as the JSON
// API (Config.Write).
package web
