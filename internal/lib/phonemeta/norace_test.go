//go:build !race

package phonemeta

// sampleEvery is the share of the generated numbers the agreement tests
// try without -full: one in four.
const sampleEvery = 4
