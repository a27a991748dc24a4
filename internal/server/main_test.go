package server_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bigledger/bigledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func decimalOf(s string) decimal.Decimal { return decimal.RequireFromString(s) }
