// Package server is steward's HTTP service: the JSON API under /api/v1
// (customers, suggestions and decisions, merges, job runs, users, the
// audit log), described by an OpenAPI 3.1 document it serves at
// /api/v1/openapi.json, on a net/http ServeMux with method patterns.
//
// Every request but the health check and signing in carries a bearer
// token (steward tokens create, or POST /api/v1/sessions); each route
// needs a role (viewer reads, steward decides and merges, admin manages).
// Every call that changes something is written to the audit log with its
// user, in the transaction of the change; so is every read of a
// customer's full record, before it is answered. Errors are JSON
// {code, message, field?} with the status one table gives each error
// code. Versions travel as ETag and If-Match.
//
// Customers are created and updated through the import gate
// (gate.Gate.Admit) under the admission lock, against a duplicate index
// (matchindex.Live) and a search index kept in memory and up to date with
// this server's writes, and loaded again when others changed customers.
// Merges, undo, take-out and decisions are package merge's; the steward
// pages of the next issue call the same functions.
package server
