package cmd

import (
	"strings"

	"github.com/kq-dev/kq/internal/conn"
)

// applyAuth fills in the token-based SASL settings of p.
func (s *Settings) applyAuth(p *conn.Profile) {
	p.SASL.Token = s.v.GetString("sasl-token")
	p.SASL.OAuth = conn.OAuth{
		TokenURL:     s.v.GetString("sasl-oauth-token-url"),
		ClientID:     s.v.GetString("sasl-oauth-client-id"),
		ClientSecret: s.v.GetString("sasl-oauth-client-secret"),
		Scopes:       strings.FieldsFunc(s.v.GetString("sasl-oauth-scope"), func(r rune) bool { return r == ',' || r == ' ' }),
	}
	p.SASL.AWSRegion = s.v.GetString("aws-region")
	if p.SASL.AWSRegion == "" {
		p.SASL.AWSRegion, _ = s.env("AWS_REGION")
	}
}

// authValues are the token-based SASL keys' effective values as text.
func (s *Settings) authValues(p conn.Profile) map[string]string {
	return map[string]string{
		"sasl-token": p.SASL.Token, "sasl-oauth-token-url": p.SASL.OAuth.TokenURL,
		"sasl-oauth-client-id": p.SASL.OAuth.ClientID, "sasl-oauth-client-secret": p.SASL.OAuth.ClientSecret,
		"sasl-oauth-scope": strings.Join(p.SASL.OAuth.Scopes, ","), "aws-region": p.SASL.AWSRegion,
	}
}
