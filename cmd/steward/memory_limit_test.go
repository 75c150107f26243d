package main

import "testing"

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"2GiB", 2 << 30},
		{"1500MiB", 1500 << 20},
		{"1.5GB", 1500000000},
		{"512mb", 512000000},
		{"1073741824", 1 << 30},
		{"64 KiB", 64 << 10},
		{"", -1},
		{"2XB", -1},
		{"-1GiB", -1},
		{"0", -1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseByteSize(tt.in)
			if tt.want < 0 {
				if err == nil {
					t.Errorf("parseByteSize(%q) = %d, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}
