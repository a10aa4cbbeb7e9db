package client

import (
	"context"
	"net/url"

	"github.com/askfirst/askfirst/wire"
)

// RevokeDelegation ends the caller's delegation to organisation
// (DELETE /v1/delegations/{organisation}) and returns the receipt of the
// revocation's log entry.
func (c *Client) RevokeDelegation(ctx context.Context, organisation string) (wire.Receipt, error) {
	var out wire.DelegationRevoked
	err := c.do(ctx, "DELETE", "/v1/delegations/"+url.PathEscape(organisation), nil, nil, &out, MaxResponse)
	return out.Receipt, err
}

// RevokeKey revokes one of the caller's signing keys (DELETE
// /v1/keys/{id}) and returns the receipt of the revocation's log entry.
func (c *Client) RevokeKey(ctx context.Context, id string) (wire.Receipt, error) {
	var out wire.KeyRevoked
	err := c.do(ctx, "DELETE", "/v1/keys/"+url.PathEscape(id), nil, nil, &out, MaxResponse)
	return out.Receipt, err
}
