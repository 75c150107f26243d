// Package validate decides whether customer data is valid: email addresses
// (syntax as a CRM needs it, domain checks through DNS, disposable, role and
// free-provider flags, typo suggestions), phone numbers, Iranian national and
// legal identifiers, postal codes per country, and whole records against a
// set of rules.
//
// # Email
//
// EmailSyntax is the fast, allocation-free first gate (an ASCII address in
// one pass; others through IDNA). EmailVerifier adds the lists (Lists) and,
// with a Resolver, the domain's mail records, giving each address a Verdict:
//
//   - valid: well formed, and the domain has MX (or A/AAAA) records; offline,
//     well formed (reason syntax_only);
//   - risky: deliverable but disposable, a role account (info@, sales@), or
//     typed with the Persian keyboard layout active;
//   - unknown: DNS failed or timed out (SERVFAIL, no answer), never invalid
//     on that account;
//   - invalid: bad syntax, NXDOMAIN, null MX (RFC 7505), or no mail host.
//
// VerifyBatch and VerifyEach group addresses by domain, so a million
// addresses over a thousand domains cost a thousand domain checks; they
// report progress and stop when their context ends. DNSResolver is the
// Resolver built on github.com/miekg/dns (retries, TCP fallback, TTL and
// negative caching, bounded queries in flight); tests run it against a real
// DNS server on 127.0.0.1.
//
// # Other fields and records
//
// Phone (libphonenumber metadata), IranNationalID, IranLegalID and
// PostalRules.Check return a Check; Record applies RecordRules to a
// steward.Record and returns Findings, which are data, not errors.
//
// Every verdict carries a Reason, a stable machine-readable code, and
// Reason.Message gives the sentence to show a person. The package does I/O
// only through the Resolver interface, never logs, and keeps no
// configuration in globals: callers build Lists, an EmailVerifier or
// RecordRules once and pass them around. Reference data (disposable, free
// and role lists, postal code formats) is embedded from data/, each file
// beside its upstream licence.
package validate
