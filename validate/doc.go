// Package validate decides whether customer data is valid: email addresses
// (syntax as a CRM needs it, domain checks through DNS, disposable, role and
// free-provider flags, typo suggestions), phone numbers, Iranian national and
// legal identifiers, postal codes per country, and whole records against a
// set of rules.
//
// Every check returns a verdict with a machine-readable reason code and a
// human message; findings about a record are data, never errors. The package
// does I/O only through the Resolver interface it declares, never logs, and
// keeps no configuration in globals: callers build an EmailVerifier or
// RecordRules and pass them around.
package validate
