//go:build race

package phonemeta

// sampleEvery is the share of the generated numbers the agreement tests
// try without -full: under the race detector, which makes every
// comparison ten times slower, one in sixteen.
const sampleEvery = 16
