package rules_test

import (
	"errors"
	"fmt"

	"github.com/steward-crm/steward/rules"
)

func ExampleParse() {
	r, err := rules.Parse([]byte(`
defaults:
  country: IR
matching:
  review_threshold: 0.7
`), "steward.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Defaults.Country, r.Matching.ReviewThreshold, r.Matching.AutoMerge.Enabled, r.Gate.OnDuplicate)

	_, err = rules.Parse([]byte(`
matching:
  review_treshold: 0.7
  auto_merge: {enabled: yes}
`), "steward.yaml")
	var problems rules.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Println(p)
		}
	}
	// Output:
	// IR 0.7 false suggest
	// steward.yaml:3:3: matching.review_treshold: unknown setting "review_treshold" (did you mean "review_threshold"?)
	// steward.yaml:4:25: matching.auto_merge.enabled: want true or false, got "yes"
}
