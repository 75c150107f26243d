// Package auth signs users in: passwords kept as argon2id hashes
// (golang.org/x/crypto/argon2, in the PHC string format), bearer tokens
// kept as the SHA-256 of their secret, an Authenticator that turns a
// bearer token or a name and password into a user, and a Throttle that
// slows down guessing (golang.org/x/time/rate, per user name and per
// client address).
package auth
