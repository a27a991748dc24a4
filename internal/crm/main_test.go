package crm_test

import (
	"testing"

	"github.com/bigledger/bigledger/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
