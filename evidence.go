package steward

// Evidence explains a suggestion: why its members are thought to be one
// customer. Every producer of suggestions (the import gate, the API's
// create and update, the nightly duplicate job) writes this one shape, so
// that the review pages and the API show them alike. A suggestion keeps
// it as JSON (Suggestion.Evidence); DecodeEvidence reads it back.
type Evidence struct {
	// Producer says what made the suggestion: EvidenceImport, EvidenceAPI
	// or EvidenceDedupe.
	Producer string `json:"producer"`
	// Origin names the import ("shop: customers.csv") or the job run
	// ("run 12") that produced it.
	Origin string `json:"origin,omitempty"`
	// Row is the import's row that brought the suggestion (1 = the first
	// data row); 0 otherwise.
	Row int `json:"row,omitempty"`
	// Model is the id of the stored matching model that scored the pairs;
	// 0 for the built-in model.
	Model int64 `json:"model,omitempty"`
	// Pairs are the scored pairs that hold the members together, the
	// strongest first; a large cluster explains its strongest pairs only.
	Pairs []PairEvidence `json:"pairs"`
}

// Producers of evidence.
const (
	EvidenceImport = "import"
	EvidenceAPI    = "api"
	EvidenceDedupe = "dedupe"
)

// PairEvidence explains one scored pair of customers.
type PairEvidence struct {
	A int64 `json:"a"`
	B int64 `json:"b"`
	// Probability that A and B are one customer.
	Probability float64 `json:"probability"`
	// Weight is the pair's log2 match weight: Prior plus every field's
	// weight; Probability is its logistic in base 2.
	Weight float64 `json:"weight"`
	// Prior is the model's log2 prior odds that two customers drawn at
	// random are one, where a waterfall of the fields' weights starts.
	Prior float64 `json:"prior"`
	// Keys names the blocking keys under which the two records met
	// (dedupe.BlockingKey values); empty when unknown.
	Keys []string `json:"keys,omitempty"`
	// Fields is each comparison's part, in the matcher's order.
	Fields []FieldEvidence `json:"fields"`
}

// FieldEvidence is one comparison's part in a pair's match weight.
type FieldEvidence struct {
	// Field names the comparison ("first_name", "location", …).
	Field string `json:"field"`
	// Level is the comparison level the two values reached ("exact",
	// "close", "different", "missing", …).
	Level string `json:"level"`
	// Weight is the level's log2 Bayes factor, term frequency included:
	// positive for evidence of a match, negative against, 0 when missing.
	Weight float64 `json:"weight"`
	// A and B are the values compared, as shown to a steward.
	A string `json:"a,omitempty"`
	B string `json:"b,omitempty"`
}
