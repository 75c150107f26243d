package steward

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorText(t *testing.T) {
	dns := Errorf(EUNAVAILABLE, "The DNS server is down.")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"plain", errors.New("disk full"), "disk full"},
		{"steward", dns, "The DNS server is down."},
		{"wrapped", fmt.Errorf("job verify-emails: %w", dns), "job verify-emails: The DNS server is down."},
		{"joined", errors.Join(Errorf(ECONFLICT, "Two failed."), fmt.Errorf("job a: %w", dns), errors.New("job c: disk full")),
			"Two failed.; job a: The DNS server is down.; job c: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorText(tt.err); got != tt.want {
				t.Errorf("ErrorText = %q, want %q", got, tt.want)
			}
		})
	}
}
