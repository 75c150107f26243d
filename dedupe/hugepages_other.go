//go:build !linux

package dedupe

// adviseHugePages does nothing where huge pages cannot be asked for.
func adviseHugePages([]byte) {}
