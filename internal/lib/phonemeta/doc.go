// Package phonemeta answers, for a number parsed by
// github.com/nyaruka/phonenumbers, its region and its number type in one
// pass over libphonenumber's metadata, with every metadata pattern
// compiled once; and parses the commonest inputs (plain digits, E.164)
// with less work than the library's parser. Every answer is the
// library's own: the tests compare them on hundreds of thousands of
// numbers of every region.
//
// The library gives the same answers through GetRegionCodeForNumber,
// GetNumberType and IsValidNumber, but each of those builds its pattern
// strings anew on every call, looks them up in a cache behind a global
// lock, and matches a number against its region's patterns up to three
// times (once per region of a shared calling code such as +1 or +44 to
// find the region, again for the type, again for validity). Its Parse
// runs its extension patterns over every input, even "+989121234567".
// cleanse and validate need all of this for every imported phone number.
package phonemeta
