package sales

import (
	"testing"

	"github.com/bigledger/bigledger/ent"
)

// A document's lines are loaded through plain-list edges capped at
// ent.ListEdgeLimit per parent: the cap must hold every line a document
// may have, or GraphQL would show documents cut short.
func TestListEdgeLimitHoldsEveryLine(t *testing.T) {
	if MaxLines > ent.ListEdgeLimit {
		t.Fatalf("MaxLines %d exceeds ent.ListEdgeLimit %d", MaxLines, ent.ListEdgeLimit)
	}
}
