package conn

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Mechanisms kq speaks (lower case, as in --sasl-mechanism).
const (
	MechPlain       = "plain"
	MechScram256    = "scram-sha-256"
	MechScram512    = "scram-sha-512"
	MechOAuthBearer = "oauthbearer"
	MechAWSMSKIAM   = "aws-msk-iam"
)

// validate checks the SASL settings for combinations that can never work.
func (s SASL) validate() error {
	switch strings.ToLower(s.Mechanism) {
	case "":
		return nil
	case MechPlain, MechScram256, MechScram512:
		if s.User == "" {
			return kqerr.Settingf("{sasl mechanism} %s needs {sasl user}", s.Mechanism)
		}
	case MechOAuthBearer:
		if s.Token == "" && s.OAuth.TokenURL == "" {
			return kqerr.Settingf("{sasl mechanism} oauthbearer needs {sasl token} or {sasl oauth token url}")
		}
		if s.Token == "" && s.OAuth.ClientID == "" {
			return kqerr.Settingf("{sasl oauth token url} needs {sasl oauth client id}")
		}
	case MechAWSMSKIAM:
		if s.AWSRegion == "" {
			return kqerr.Settingf("{sasl mechanism} aws-msk-iam needs {aws region} (or AWS_REGION)")
		}
	default:
		return kqerr.Settingf("{sasl mechanism}: %w", CheckMechanism(s.Mechanism))
	}
	return nil
}

// tokenFunc adapts a function to sarama.AccessTokenProvider.
type tokenFunc func() (string, error)

// Token returns a fresh token for one SASL authentication.
func (f tokenFunc) Token() (*sarama.AccessToken, error) {
	t, err := f()
	if err != nil {
		return nil, err
	}
	return &sarama.AccessToken{Token: t}, nil
}

// TokenProvider is the profile's OAUTHBEARER token source (see
// tokenProvider), for clients other than sarama's.
func (p Profile) TokenProvider() sarama.AccessTokenProvider { return p.tokenProvider() }

// tokenProvider returns the OAUTHBEARER token source of the profile: the
// static token, an OIDC client-credentials grant (tokens are reused until
// shortly before they expire, then fetched again), or AWS MSK IAM signed
// tokens.
func (p Profile) tokenProvider() sarama.AccessTokenProvider {
	s := p.SASL
	switch {
	case strings.EqualFold(s.Mechanism, MechAWSMSKIAM):
		return mskTokens(s.AWSRegion, p.Timeout, nil)
	case s.Token != "":
		return tokenFunc(func() (string, error) { return s.Token, nil })
	}
	cc := clientcredentials.Config{ClientID: s.OAuth.ClientID, ClientSecret: s.OAuth.ClientSecret, TokenURL: s.OAuth.TokenURL, Scopes: s.OAuth.Scopes}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: p.Timeout})
	ts := cc.TokenSource(ctx) // a ReuseTokenSource: refreshes when expired
	return tokenFunc(func() (string, error) {
		t, err := ts.Token()
		if err != nil {
			return "", fmt.Errorf("%w: oauth token from %s: %w", kqerr.ErrAuth, s.OAuth.TokenURL, err)
		}
		return t.AccessToken, nil
	})
}

// mskTokens returns AWS MSK IAM tokens signed by AWS's own signer with
// creds, or the default credential chain (environment, shared files,
// instance roles) when creds is nil.
func mskTokens(region string, timeout time.Duration, creds aws.CredentialsProvider) sarama.AccessTokenProvider {
	var mu sync.Mutex
	return tokenFunc(func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		mu.Lock()
		if creds == nil {
			cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
			if err != nil {
				mu.Unlock()
				return "", fmt.Errorf("%w: aws credentials: %w", kqerr.ErrAuth, err)
			}
			creds = cfg.Credentials // a cache: refreshed as they expire
		}
		provider := creds
		mu.Unlock()
		tok, _, err := signer.GenerateAuthTokenFromCredentialsProvider(ctx, region, provider)
		if err != nil {
			return "", fmt.Errorf("%w: aws msk iam token: %w", kqerr.ErrAuth, err)
		}
		return tok, nil
	})
}
