package dedupe

import "unsafe"

// adviseHugePagesOf is adviseHugePages for the memory of any slice.
func adviseHugePagesOf[T any](s []T) {
	var zero T
	n := len(s) * int(unsafe.Sizeof(zero))
	if n < hugePageMin {
		return
	}
	adviseHugePages(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n))
}

// hugePageMin is the smallest allocation worth advising: two huge pages.
const hugePageMin = 4 << 20
