package gate

import (
	"errors"
	"io"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/records"
)

func readAllRecords(rd *records.Reader) ([]steward.Record, error) {
	var out []steward.Record
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
}
