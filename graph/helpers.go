package graph

import (
	"github.com/bigledger/bigledger/ent/schema/pulid"
	"github.com/bigledger/bigledger/graph/model"
)

func deleted(id pulid.ID, err error) (*model.DeletePayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: id}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
