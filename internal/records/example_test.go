package records_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/steward-crm/steward/internal/records"
)

func ExampleNewReader() {
	m, err := records.ParseMapping([]byte(`
source: shop
columns:
  id: customer no
  first_name: given
  address_line1: [house, street]
  country: {const: AU}
`), "shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	input := "Customer No, Given, House, Street, Tier\n" +
		"17, Ann, 6, Tullaroop Street, gold\n" +
		"18, Bob, 7\n"
	r, err := records.NewReader(strings.NewReader(input), records.Options{Mapping: m})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := records.NewWriter(os.Stdout, r.AttributeColumns())
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var rowErr *records.RowError
		if errors.As(err, &rowErr) {
			fmt.Printf("rejected line %d: %v: %q\n", r.Line(), rowErr.Err, r.RawText())
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = w.Write(&rec)
	}
	_ = w.Flush()
	// Output:
	// rejected line 3: wrong number of fields: 3, the header has 5: "18, Bob, 7\n"
	// id,source,first_name,last_name,company,email,phone,address_line1,address_line2,city,region,postal_code,country,birth_date,national_id,tier
	// 17,shop,Ann,,,,,6 Tullaroop Street,,,,,AU,,,gold
}
