// Package records reads customer records from every input format steward
// takes, and writes them back as canonical CSV.
//
// ReadFile reads a whole input file of any format (CSV or TSV with the
// delimiter detected, JSON Lines, XLSX) in any of the encodings steward
// reads (UTF-8, UTF-16, Windows-1256, Windows-1252; DetectEncoding says
// how one is guessed), row by row, within Limits; the import gate and the
// validate and standardize commands all read through it. The rest of this
// comment is about its parts.
//
// # Reading
//
// A file starts with a header row. Without a mapping, header names are
// steward's canonical columns (id, source, first_name, last_name, company,
// email, phone, address_line1, address_line2, city, region, postal_code,
// country, birth_date, national_id), matched case-insensitively after
// trimming; any other column is kept as an attribute under its lower-cased
// name. The delimiter (comma, tab or semicolon) is detected from the header
// line unless Options.Delimiter names it (or an Excel "sep=;" line before
// the header does). Input is UTF-8, with or without a
// byte order mark. Values are trimmed of surrounding white space.
//
//	r, err := records.NewReader(f, records.Options{Mapping: m})
//	for {
//		rec, err := r.Read()
//		if err == io.EOF {
//			break
//		}
//		var rowErr *records.RowError
//		if errors.As(err, &rowErr) {
//			// reject r.RawText() and go on
//			continue
//		}
//		...
//	}
//
// Rows that come from elsewhere (a spreadsheet, JSON Lines) go through
// NewColumns, which applies the same header rules and mapping to rows of
// values.
//
// The reader streams: it holds one row at a time (plus a read-ahead buffer).
// A row with the wrong number of fields, broken quotes or invalid UTF-8
// yields a *RowError naming its line; the next Read continues with the next
// row. Any other error ends the file.
//
// # Mapping files
//
// A mapping file (YAML) describes a file whose columns are not canonical.
// Under "columns", each key is a canonical column (the target) and its value
// says where the value comes from:
//
//	# FEBRL layout
//	source: febrl                 # constant source name for every record
//	columns:
//	  id: rec_id                  # one source column, renamed
//	  first_name: given_name
//	  address_line1: [street_number, address_1]   # joined with a space
//	  address_line2: {join: [unit, floor], separator: ", "}
//	  country: {const: AU}        # the same value for every row
//	ignore: [internal_flag]       # source columns to drop
//
// A list joins the non-empty values of several columns with one space; the
// {join, separator} form chooses another separator; {const: VALUE} sets a
// constant; {column: NAME, transform: bool | not} reads yes/no values as
// true/false (not: negated), and {column: NAME, date: LAYOUT} reads dates
// in a layout (%d/%m/%Y or Go's 2/1/2006) as ISO 8601. Under
// "attributes", keys are attribute names, with the same forms:
//
//	attributes:
//	  email_opt_out: {column: Accepts Email Marketing, transform: not}
//
// The top-level "source" is shorthand for columns.source: {const:
// NAME}. Source columns are matched like header names (case-insensitive,
// trimmed). Every source column that the mapping neither uses nor ignores is
// kept: as the canonical field of the same name when that field is not
// mapped from elsewhere, otherwise as an attribute under its lower-cased
// name. An unknown target, a column absent from the header, or a column
// that would collide with a canonical field or a mapped attribute is an
// error naming the mapping file's line. Mapping.Marshal writes a mapping
// out as a file ParseMapping reads back.
//
// # Inferring the columns
//
// Infer matches a header that is not canonical to canonical columns by
// the names (English and Persian synonyms of each column, as Shopify,
// HubSpot, Salesforce, Mailchimp and Persian exports name them) and by
// the values of the first rows (email addresses, phone numbers, postal
// codes, national ids), and says what it matched and why; ReadFile does
// so when FileOptions.Infer asks. The README's "Mapping files" section
// describes both for users.
//
// # Writing
//
// NewWriter writes canonical CSV: the canonical columns followed by the
// attribute columns the caller names, one row per record.
package records
