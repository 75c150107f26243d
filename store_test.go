package steward

import (
	"reflect"
	"testing"
	"time"
)

func TestSuggestionKey(t *testing.T) {
	tests := []struct {
		name string
		ids  []int64
		want string
	}{
		{"sorted", []int64{1, 2}, "1,2"},
		{"unsorted with repeats", []int64{30, 4, 30, 12}, "4,12,30"},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]int64(nil), tt.ids...)
			if got := SuggestionKey(tt.ids); got != tt.want {
				t.Errorf("SuggestionKey(%v) = %q, want %q", tt.ids, got, tt.want)
			}
			if !reflect.DeepEqual(in, tt.ids) {
				t.Errorf("SuggestionKey changed its argument to %v", tt.ids)
			}
		})
	}
	if NewPair(9, 3) != (Pair{A: 3, B: 9}) || NewPair(3, 9) != NewPair(9, 3) {
		t.Error("NewPair does not order its ids")
	}
}

func TestCreationChanges(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	c := &Customer{ID: 5, CreatedAt: at, Record: Record{
		FirstName: "Sara", Email: "new@example.com", City: "Shiraz",
		Attributes: map[string]string{"tier": "gold", "added": "later"},
	}}
	later := []Change{
		{ID: 10, Field: FieldEmail, Before: "old@example.com", After: "mid@example.com"},
		{ID: 11, Field: FieldEmail, Before: "mid@example.com", After: "new@example.com"},
		{ID: 12, Field: FieldCity, Before: "", After: "Shiraz"},
		{ID: 13, Field: FieldLastName, Before: "Ahmadi", After: ""},
		{ID: 14, Field: "added", Before: "", After: "later"},
		{ID: 15, Field: "dropped", Before: "x", After: ""},
		{ID: 16, Field: ColumnStatus, Before: "active", After: "merged"},
	}
	got := CreationChanges(c, "import", "import:3", later)
	var fields []string
	for _, ch := range got {
		if ch.CustomerID != 5 || !ch.At.Equal(at) || ch.Actor != "import" || ch.Cause != "import:3" || ch.Before != "" || ch.ID != 0 {
			t.Errorf("entry %+v: wrong customer, time, actor, cause, before or id", ch)
		}
		fields = append(fields, ch.Field+"="+ch.After)
	}
	want := []string{"first_name=Sara", "last_name=Ahmadi", "email=old@example.com", "dropped=x", "tier=gold"}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("creation = %q, want %q", fields, want)
	}
	if c.Record.Email != "new@example.com" || c.Record.Attributes["added"] != "later" {
		t.Error("CreationChanges modified the customer")
	}
}

func TestNewTxOptions(t *testing.T) {
	tests := []struct {
		name   string
		opts   []TxOption
		nested bool
		want   TxOptions
		code   string
	}{
		{name: "none"},
		{name: "none nested", nested: true},
		{name: "nil options", opts: []TxOption{nil, nil}, nested: true},
		{name: "all or nothing", opts: []TxOption{AllOrNothing()}, want: TxOptions{AllOrNothing: true}},
		{name: "locks sorted and distinct", opts: []TxOption{Exclusive("scheduler"), AllOrNothing(), Exclusive("import"), Exclusive("scheduler")},
			want: TxOptions{AllOrNothing: true, Locks: []string{"import", "scheduler"}}},
		{name: "lock without a name", opts: []TxOption{Exclusive("import"), Exclusive("")}, code: EINVALID},
		{name: "all or nothing nested", opts: []TxOption{AllOrNothing()}, nested: true, code: EINVALID},
		{name: "lock nested", opts: []TxOption{nil, Exclusive("import")}, nested: true, code: EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewTxOptions(tt.opts, tt.nested)
			if code := ErrorCode(err); code != tt.code {
				t.Fatalf("error %v (code %q), want code %q", err, code, tt.code)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeEvidence(t *testing.T) {
	tests := []struct {
		name     string
		evidence string
		want     *Evidence
		code     string
	}{
		{"none", ``, &Evidence{}, ""},
		{"import", `{"producer":"import","origin":"shop: a.csv","row":7,"model":3,"pairs":[{"a":1,"b":2,"probability":0.9,"weight":3.2,"prior":-12,"keys":["email"],"fields":[{"field":"email","level":"exact","weight":9.5,"a":"x@example.com","b":"x@example.com"}]}]}`,
			&Evidence{Producer: EvidenceImport, Origin: "shop: a.csv", Row: 7, Model: 3, Pairs: []PairEvidence{{A: 1, B: 2, Probability: 0.9, Weight: 3.2, Prior: -12,
				Keys: []string{"email"}, Fields: []FieldEvidence{{Field: "email", Level: "exact", Weight: 9.5, A: "x@example.com", B: "x@example.com"}}}}}, ""},
		{"not JSON", `{"producer":`, nil, EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg := &Suggestion{ID: 4, Evidence: []byte(tt.evidence)}
			got, err := sg.DecodeEvidence()
			if code := ErrorCode(err); code != tt.code {
				t.Fatalf("DecodeEvidence() = %v (code %q), want code %q", err, code, tt.code)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeEvidence() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
