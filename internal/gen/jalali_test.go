package gen

import (
	"testing"

	"github.com/steward-crm/steward/cleanse"
)

func TestGregorianToJalali(t *testing.T) {
	tests := []struct {
		name       string
		gy, gm, gd int
		jy, jm, jd int
	}{
		{"Nowruz 1985", 1985, 3, 21, 1364, 1, 1},
		{"new year 2000", 2000, 1, 1, 1378, 10, 11},
		{"leap Esfand", 2025, 3, 20, 1403, 12, 30},
		{"last of Shahrivar", 1990, 9, 22, 1369, 6, 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jy, jm, jd := gregorianToJalali(tt.gy, tt.gm, tt.gd)
			if jy != tt.jy || jm != tt.jm || jd != tt.jd {
				t.Fatalf("got %d/%d/%d, want %d/%d/%d", jy, jm, jd, tt.jy, tt.jm, tt.jd)
			}
		})
	}
	// Every day of the generator's birth years converts back to itself
	// through cleanse, which reads Jalali dates in imported files.
	for y := 1945; y <= 2006; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= daysIn(y, m); d++ {
				jy, jm, jd := gregorianToJalali(y, m, d)
				gy, gm, gd, ok := cleanse.JalaliToGregorian(jy, jm, jd)
				if !ok || gy != y || gm != m || gd != d {
					t.Fatalf("%d-%02d-%02d → %d/%d/%d → %d-%02d-%02d (%v)", y, m, d, jy, jm, jd, gy, gm, gd, ok)
				}
			}
		}
	}
}
