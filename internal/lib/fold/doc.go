// Package fold reads the digits and drops the invisible characters of text
// typed in Persian, Arabic and Latin scripts, the one way cleanse and
// validate both read them.
package fold
