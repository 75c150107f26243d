package dedupe

import (
	"fmt"
	"runtime"
)

// BlockingKey names one way of grouping records into blocks; records that
// share a block become candidate pairs. Candidates of all keys are united.
type BlockingKey string

// The blocking keys. A record without the fields a key needs is in no block
// of that key.
const (
	// BlockEmail groups records by normalized email (cleanse.EmailKey).
	BlockEmail BlockingKey = "email"
	// BlockPhone groups records by phone key (E.164 where possible).
	BlockPhone BlockingKey = "phone"
	// BlockLastNamePhonetic groups by the sound code of the last name and
	// the first initial.
	BlockLastNamePhonetic BlockingKey = "last_name_phonetic+first_initial"
	// BlockPostalHouse groups by postal code and house number.
	BlockPostalHouse BlockingKey = "postal_code+house_number"
	// BlockSortedNames groups by the name tokens of first and last name in
	// sorted order, so swapped first and last names meet.
	BlockSortedNames BlockingKey = "sorted_name_tokens"
	// BlockBirthDateFirst groups by birth date and first-name initial.
	BlockBirthDateFirst BlockingKey = "birth_date+first_initial"
	// BlockBirthDateLast groups by birth date and last-name initial.
	BlockBirthDateLast BlockingKey = "birth_date+last_initial"
	// BlockFirstNamePostal groups by the sound code of the first name and
	// the postal code, for a changed or mistyped last name.
	BlockFirstNamePostal BlockingKey = "first_name_phonetic+postal_code"
	// BlockEmailLocal groups by the local part of the email, which
	// survives a mistyped or changed domain.
	BlockEmailLocal BlockingKey = "email_local_part"
	// BlockSortedSkeletons groups by the consonant skeletons of first and
	// last name in sorted order: swapped names with typos meet.
	BlockSortedSkeletons BlockingKey = "sorted_name_skeletons"
	// BlockFirstNameYear groups by first name and birth year, for a
	// missing or changed last name.
	BlockFirstNameYear BlockingKey = "first_name+birth_year"
	// BlockStreetPostal groups by street name (without house number) and
	// postal code.
	BlockStreetPostal BlockingKey = "street+postal_code"
	// BlockStreetCity groups by street name (without house number) and
	// city, for a mistyped postal code.
	BlockStreetCity BlockingKey = "street+city"
	// BlockBirthDateCity groups by birth date and city, for names changed
	// or swapped and mistyped at once.
	BlockBirthDateCity BlockingKey = "birth_date+city"
	// BlockNationalID groups by national identifier.
	BlockNationalID BlockingKey = "national_id"
	// BlockCompany groups by company key and city.
	BlockCompany BlockingKey = "company+city"
	// BlockLastNameCity groups by the sound code of the last name and the
	// city, for records with a name and a town and little else.
	BlockLastNameCity BlockingKey = "last_name_phonetic+city"
	// BlockLastNamePostal groups by the sound code of the last name and
	// the postal code.
	BlockLastNamePostal BlockingKey = "last_name_phonetic+postal_code"
	// BlockLastNameYear groups by the sound code of the last name and the
	// birth year, for a first name that is an initial, a nickname or a
	// title.
	BlockLastNameYear BlockingKey = "last_name_phonetic+birth_year"
)

// AllBlockingKeys lists every blocking key dedupe knows.
func AllBlockingKeys() []BlockingKey {
	return []BlockingKey{BlockEmail, BlockEmailLocal, BlockPhone, BlockLastNamePhonetic,
		BlockFirstNameYear, BlockPostalHouse, BlockStreetPostal, BlockStreetCity, BlockSortedNames, BlockSortedSkeletons,
		BlockBirthDateFirst, BlockBirthDateLast, BlockBirthDateCity, BlockFirstNamePostal,
		BlockNationalID, BlockCompany, BlockLastNameCity, BlockLastNamePostal, BlockLastNameYear}
}

// keyOrder returns the order of a key's oversized blocks: for keys of
// names, whose oversized blocks hold namesakes, by birth date, by place or
// by email and phone, so that one person's records meet in one of them
// whatever they lack; by name for the others, whose oversized blocks hold
// households, offices and people born on one day.
func keyOrder(key BlockingKey) int {
	switch key {
	case BlockSortedNames, BlockLastNameCity, BlockLastNamePostal, BlockFirstNamePostal:
		return orderDate
	case BlockSortedSkeletons:
		return orderPlace
	case BlockLastNamePhonetic:
		return orderContact
	}
	return orderName
}

// Config holds the settings of duplicate detection. DefaultConfig gives
// the values one model uses for every data set.
type Config struct {
	// Blocking lists the blocking keys whose candidate pairs are united.
	Blocking []BlockingKey
	// MaxBlock is the largest block whose records are all paired; a larger
	// block is not paired all-to-all but by sorted neighbourhood: records
	// sorted by name, each paired with the Window records either side.
	MaxBlock int
	// Window is the sorted-neighbourhood window inside an oversized block.
	Window int
	// Neighbours bounds the records one record is compared with that
	// only sorted neighbourhoods of oversized blocks brought: those met
	// under the most keys are kept. Records met in a block of at most
	// MaxBlock are always compared. It keeps the pairs per record flat as
	// the data grows.
	Neighbours int
	// Threshold is the match probability from which a pair joins a cluster.
	Threshold float64
	// ReviewThreshold is the lowest probability of a pair that is kept and
	// reported (for review); at most Threshold.
	ReviewThreshold float64
	// BridgeProbability guards clusters against chaining: an edge whose
	// removal splits a cluster into two parts of two or more records each
	// is cut when its probability is below this.
	BridgeProbability float64
	// Cohesion guards clusters against chaining: a connected group of
	// three or more records is re-clustered by average linkage, and two
	// parts stay together only while the average match probability
	// between their members reaches Cohesion. Zero turns the guard off.
	Cohesion float64
	// StrongProbability is the match probability from which a pair's own
	// evidence keeps its records together whatever the chaining guards
	// say of the groups around them; at least BridgeProbability.
	StrongProbability float64
	// RandomPairs is the least number of random record pairs that
	// estimate the u probabilities.
	RandomPairs int
	// RandomPairsPerRecord raises the random pairs to this many per
	// record. A level that no random pair shows (two customers sharing
	// an email address or a phone) gets a u of about 1/RandomPairs, while
	// the prior odds of a match fall as 1/n: with a fixed sample, the
	// larger the data, the less such an agreement would outweigh the
	// prior, and a million records would lose duplicates that a hundred
	// thousand find.
	RandomPairsPerRecord float64
	// TrainingPairs bounds the candidate pairs expectation-maximisation
	// learns the m probabilities from; records are sampled to stay near it.
	TrainingPairs int
	// MaxIterations bounds each expectation-maximisation session; one
	// that reaches it without converging is named in
	// TrainingReport.Unconverged.
	MaxIterations int
	// Seed makes the random sampling repeatable.
	Seed uint64
	// Workers is the number of goroutines comparing pairs; 0 means
	// GOMAXPROCS.
	Workers int
}

// DefaultBlockingKeys lists the keys DefaultConfig uses: every key. The
// broad name keys (last-name sound with the first initial, the city, the
// postal code or the birth year; first name with birth year), whose blocks
// grow with the data and hold namesakes, find the records that carry
// little more than a name; their oversized blocks are paired by sorted
// neighbourhood in an order that puts one person's records side by side.
func DefaultBlockingKeys() []BlockingKey {
	return AllBlockingKeys()
}

// DefaultConfig returns the default settings: the default blocking keys,
// blocks of up to 20 records paired fully, larger ones by a window of 5.
func DefaultConfig() Config {
	return Config{
		Blocking:             DefaultBlockingKeys(),
		MaxBlock:             8,
		Window:               2,
		Neighbours:           6,
		Threshold:            0.5,
		ReviewThreshold:      0.2,
		BridgeProbability:    0.95,
		Cohesion:             0.35,
		StrongProbability:    0.99,
		RandomPairs:          100_000,
		RandomPairsPerRecord: 1,
		TrainingPairs:        300_000,
		MaxIterations:        1000,
		Seed:                 1,
	}
}

// validate reports the first setting that cannot work.
func (c *Config) validate() error {
	if len(c.Blocking) == 0 {
		return fmt.Errorf("no blocking keys")
	}
	known := make(map[BlockingKey]bool)
	for _, k := range AllBlockingKeys() {
		known[k] = true
	}
	for _, k := range c.Blocking {
		if !known[k] {
			return fmt.Errorf("unknown blocking key %q", k)
		}
	}
	switch {
	case c.MaxBlock < 2:
		return fmt.Errorf("max block %d: want at least 2", c.MaxBlock)
	case c.Window < 1:
		return fmt.Errorf("window %d: want at least 1", c.Window)
	case c.Neighbours < 1:
		return fmt.Errorf("neighbours %d: want at least 1", c.Neighbours)
	case c.Threshold <= 0 || c.Threshold > 1:
		return fmt.Errorf("threshold %g: want a probability in (0, 1]", c.Threshold)
	case c.ReviewThreshold <= 0 || c.ReviewThreshold > c.Threshold:
		return fmt.Errorf("review threshold %g: want a probability in (0, threshold]", c.ReviewThreshold)
	case c.Cohesion < 0 || c.Cohesion > 1:
		return fmt.Errorf("cohesion %g: want a probability in [0, 1]", c.Cohesion)
	case c.StrongProbability < c.BridgeProbability || c.StrongProbability > 1:
		return fmt.Errorf("strong probability %g: want a probability in [bridge probability, 1]", c.StrongProbability)
	case c.RandomPairs < 1 || c.TrainingPairs < 1 || c.MaxIterations < 1:
		return fmt.Errorf("random pairs, training pairs and iterations must be positive")
	case !(c.RandomPairsPerRecord >= 0):
		return fmt.Errorf("random pairs per record %g: want 0 or more", c.RandomPairsPerRecord)
	}
	return nil
}

func (c *Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}
