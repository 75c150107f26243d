package cleanse

import "testing"

func TestCity(t *testing.T) {
	tests := []struct{ name, in, country, want string }{
		{"a US city in capitals, as the street line", " boston ", "US", "BOSTON"},
		{"us as written", "San Francisco", "us", "SAN FRANCISCO"},
		{"elsewhere as written", "Köln", "DE", "Köln"},
		{"a Persian city", "تهران", "IR", "تهران"},
		{"no country", "boston", "", "boston"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := City(tt.in, tt.country)
			if got != tt.want {
				t.Errorf("City(%q, %q) = %q, want %q", tt.in, tt.country, got, tt.want)
			}
			if again, fs := City(got, tt.country); again != got || len(fs) != 0 {
				t.Errorf("City is not idempotent: %q → %q (%v)", got, again, fs)
			}
		})
	}
}
