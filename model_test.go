package steward

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStoredModelNormalize(t *testing.T) {
	tehran := time.FixedZone("IRST", 3*3600+1800)
	trained := time.Date(2026, 3, 1, 2, 30, 0, 123456789, tehran)
	tests := []struct {
		name string
		m    StoredModel
		code string
	}{
		{"valid", StoredModel{TrainedAt: trained, Records: 10, Labels: 2, Model: json.RawMessage(`{"fields":[]}`)}, ""},
		{"no model", StoredModel{TrainedAt: trained}, EINVALID},
		{"not JSON", StoredModel{TrainedAt: trained, Model: json.RawMessage(`{"fields":`)}, EINVALID},
		{"never trained", StoredModel{Model: json.RawMessage(`{}`)}, EINVALID},
		{"negative records", StoredModel{TrainedAt: trained, Records: -1, Model: json.RawMessage(`{}`)}, EINVALID},
		{"negative labels", StoredModel{TrainedAt: trained, Labels: -1, Model: json.RawMessage(`{}`)}, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Normalize()
			if code := ErrorCode(err); code != tt.code {
				t.Fatalf("Normalize() = %v (code %q), want code %q", err, code, tt.code)
			}
			if err != nil {
				return
			}
			want := time.Date(2026, 2, 28, 23, 0, 0, 123456000, time.UTC)
			if !tt.m.TrainedAt.Equal(want) || tt.m.TrainedAt.Location() != time.UTC {
				t.Errorf("TrainedAt = %v, want %v", tt.m.TrainedAt, want)
			}
		})
	}
}
