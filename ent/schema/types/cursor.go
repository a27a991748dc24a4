package types

import (
	"fmt"
	"reflect"

	"github.com/shopspring/decimal"
	"github.com/vmihailenco/msgpack/v5"
)

// Pagination cursors (entgql.Cursor) are msgpack documents holding the
// order fields' values as `any`. Without a registered extension a Date
// decodes to a map and a decimal to raw bytes, which reach the driver as
// garbage. These extensions make both round-trip to their own Go type, so
// a cursor taken on an INVOICE_DATE or TOTAL page can be passed back.
const (
	cursorExtDate    int8 = 1
	cursorExtDecimal int8 = 2
	// maxCursorDecimal bounds a decimal read from a (client-supplied)
	// cursor: numeric(20,4) prints in at most 26 characters.
	maxCursorDecimal = 40
)

func init() {
	msgpack.RegisterExtEncoder(cursorExtDate, Date{}, func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		return []byte(v.Interface().(Date).String()), nil
	})
	msgpack.RegisterExtDecoder(cursorExtDate, Date{}, func(d *msgpack.Decoder, v reflect.Value, n int) error {
		b, err := readExt(d, n, len(dateLayout))
		if err != nil {
			return err
		}
		p, err := ParseDate(string(b))
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(p))
		return nil
	})
	msgpack.RegisterExtEncoder(cursorExtDecimal, decimal.Decimal{}, func(_ *msgpack.Encoder, v reflect.Value) ([]byte, error) {
		return []byte(v.Interface().(decimal.Decimal).String()), nil
	})
	msgpack.RegisterExtDecoder(cursorExtDecimal, decimal.Decimal{}, func(d *msgpack.Decoder, v reflect.Value, n int) error {
		b, err := readExt(d, n, maxCursorDecimal)
		if err != nil {
			return err
		}
		// Only the plain form decimal.String writes: no exponent, so a
		// crafted cursor cannot ask for a number with a billion digits.
		for i, c := range b {
			if !(c >= '0' && c <= '9' || c == '.' || c == '-' && i == 0) {
				return &InputError{msg: "malformed cursor"}
			}
		}
		dec, err := decimal.NewFromString(string(b))
		if err != nil {
			return &InputError{msg: "malformed cursor"}
		}
		v.Set(reflect.ValueOf(dec))
		return nil
	})
}

func readExt(d *msgpack.Decoder, n, max int) ([]byte, error) {
	if n < 0 || n > max {
		return nil, &InputError{msg: fmt.Sprintf("malformed cursor (value of %d bytes)", n)}
	}
	b := make([]byte, n)
	if err := d.ReadFull(b); err != nil {
		return nil, err
	}
	return b, nil
}
