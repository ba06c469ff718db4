package cmd

import (
	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
)

// addBrokerOAuthFlags adds --oauth-token to kq broker.
func addBrokerOAuthFlags(c *cobra.Command, o *BrokerOptions) {
	c.Flags().StringArrayVar(&o.OAuthTokens, "oauth-token", nil, "require SASL and accept OAUTHBEARER with this token (repeatable)")
}

// applyOAuth sets the broker's token validator from --oauth-token.
func (o *BrokerOptions) applyOAuth(bo *broker.Options) error {
	for _, t := range o.OAuthTokens {
		if t == "" {
			return kqerr.Usagef("--oauth-token must not be empty")
		}
	}
	if len(o.OAuthTokens) > 0 {
		bo.TokenValidator = broker.StaticTokens(o.OAuthTokens...)
	}
	return nil
}
