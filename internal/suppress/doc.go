// Package suppress keeps the addresses that must not be written to: the
// keys of their hashes and of unsubscribe tokens; inbound mail read as RFC
// 3464 delivery reports (hard and soft bounces), RFC 5965 complaint
// reports and unsubscribe requests by mail, authenticated with DKIM and
// DMARC through an injected resolver; mail read from .eml files, mboxes
// and Maildirs, or over LMTP; email providers' suppression lists and
// webhooks; and what all of these do to the database (Applier).
package suppress
