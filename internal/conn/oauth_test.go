package conn

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
)

func oauthBroker(t *testing.T, v broker.TokenValidator) string {
	t.Helper()
	b, err := broker.Start(broker.Options{Nodes: 1, TokenValidator: v})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b.Bootstrap()
}

// connect opens a client and asks for metadata.
func connect(p Profile) error {
	f := Factory{Profile: p.WithDefaults()}
	cl, err := f.Client()
	if err != nil {
		return f.Classify(err)
	}
	defer cl.Close()
	_, err = cl.Topics()
	return f.Classify(err)
}

func TestOAuthBearerStaticToken(t *testing.T) {
	addr := oauthBroker(t, broker.StaticTokens("s3cret-token"))
	p := Profile{Brokers: []string{addr}, Timeout: 5 * time.Second, SASL: SASL{Mechanism: "oauthbearer", Token: "s3cret-token"}}
	if err := connect(p); err != nil {
		t.Fatalf("a valid token: %v", err)
	}
	p.SASL.Token = "wrong-token"
	err := connect(p)
	if !errors.Is(err, kqerr.ErrAuth) {
		t.Fatalf("a wrong token: err %v, want an auth error", err)
	}
	if strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("the error prints the token: %v", err)
	}
	// No token at all is refused as well, not let through.
	p.SASL = SASL{}
	if err := connect(p); err == nil {
		t.Fatal("a client without SASL got metadata from a broker that requires OAUTHBEARER")
	}
}

// tokenServer is an OIDC token endpoint issuing tok-1, tok-2, ... for one
// client, each valid for ttl seconds.
type tokenServer struct {
	url    string
	issued atomic.Int64
	mu     sync.Mutex
	valid  map[string]bool
}

func newTokenServer(t *testing.T, ttl int) *tokenServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &tokenServer{url: "http://" + ln.Addr().String() + "/token", valid: map[string]bool{}}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "kq-client" || secret != "client-s3cret" || r.FormValue("grant_type") != "client_credentials" || r.FormValue("scope") != "kafka" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		tok := fmt.Sprintf("tok-%d", ts.issued.Add(1))
		ts.mu.Lock()
		ts.valid[tok] = true
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":%d}`, tok, ttl)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *tokenServer) validate(tok string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.valid[tok] {
		return "", errors.New("not issued")
	}
	return "kq-client", nil
}

func oidcProfile(addr, tokenURL, secret string) Profile {
	return Profile{Brokers: []string{addr}, Timeout: 5 * time.Second, SASL: SASL{Mechanism: "oauthbearer",
		OAuth: OAuth{TokenURL: tokenURL, ClientID: "kq-client", ClientSecret: secret, Scopes: []string{"kafka"}}}}
}

func TestOAuthBearerClientCredentialsReusesAndRefreshes(t *testing.T) {
	long := newTokenServer(t, 3600)
	addr := oauthBroker(t, long.validate)
	f := Factory{Profile: oidcProfile(addr, long.url, "client-s3cret").WithDefaults()}
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	// One provider, two authentications: a long-lived token is fetched once.
	for i := 0; i < 2; i++ {
		tok, err := cfg.Net.SASL.TokenProvider.Token()
		if err != nil || tok.Token != "tok-1" {
			t.Fatalf("token %d = %+v, %v; want tok-1 reused", i, tok, err)
		}
	}
	if err := connect(f.Profile); err != nil {
		t.Fatalf("connect with a client-credentials token: %v", err)
	}

	// Tokens that expire within oauth2's early-expiry margin are fetched
	// again for every authentication: each connection gets a fresh one.
	short := newTokenServer(t, 1)
	addr = oauthBroker(t, short.validate)
	p := oidcProfile(addr, short.url, "client-s3cret")
	for i := 0; i < 2; i++ {
		if err := connect(p); err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
	}
	if n := short.issued.Load(); n < 2 {
		t.Fatalf("%d tokens issued for two connections with expiring tokens, want a refresh", n)
	}

	err = connect(oidcProfile(addr, short.url, "wrong-secret"))
	if !errors.Is(err, kqerr.ErrAuth) || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("a rejected client secret: err %v, want an auth error without the secret", err)
	}
}

func TestValidateTokenMechanisms(t *testing.T) {
	for _, c := range []struct {
		sasl SASL
		ok   bool
	}{
		{SASL{Mechanism: "oauthbearer", Token: "t"}, true},
		{SASL{Mechanism: "OAUTHBEARER"}, false},
		{SASL{Mechanism: "oauthbearer", OAuth: OAuth{TokenURL: "http://x/token"}}, false},
		{SASL{Mechanism: "oauthbearer", OAuth: OAuth{TokenURL: "http://x/token", ClientID: "c"}}, true},
		{SASL{Mechanism: "aws-msk-iam"}, false},
		{SASL{Mechanism: "aws-msk-iam", AWSRegion: "eu-west-1"}, true},
		{SASL{Mechanism: "gssapi"}, false},
	} {
		err := Profile{SASL: c.sasl}.WithDefaults().Validate()
		if (err == nil) != c.ok {
			t.Errorf("%+v: err %v, want ok %v", c.sasl, err, c.ok)
		}
	}
	r := Profile{SASL: SASL{Token: "tok", OAuth: OAuth{ClientSecret: "cs"}}}.Redacted()
	if r.SASL.Token != "<redacted>" || r.SASL.OAuth.ClientSecret != "<redacted>" {
		t.Fatalf("Redacted left a secret: %+v", r.SASL)
	}
}

// TestMSKIAMTokenIsADocumentedSigV4PresignedURL checks the token AWS's
// signer makes against the form AWS documents for MSK IAM: base64url (no
// padding) of a presigned GET of https://kafka.REGION.amazonaws.com/ with
// Action=kafka-cluster:Connect, signed with Signature Version 4 for the
// service kafka-cluster; the signature is recomputed here from the
// documented algorithm (canonical request, string to sign, derived key).
func TestMSKIAMTokenIsADocumentedSigV4PresignedURL(t *testing.T) {
	const akid, secret, region = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1"
	creds := credentials.NewStaticCredentialsProvider(akid, secret, "")
	cfg, err := Profile{SASL: SASL{Mechanism: "aws-msk-iam", AWSRegion: region}}.SaramaConfig()
	if err != nil || cfg.Net.SASL.Mechanism != "OAUTHBEARER" || cfg.Net.SASL.TokenProvider == nil {
		t.Fatalf("aws-msk-iam config: %v %+v", err, cfg.Net.SASL)
	}
	tok, err := mskTokens(region, 5*time.Second, creds).Token()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok.Token)
	if err != nil {
		t.Fatalf("token is not unpadded base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "https" || u.Host != "kafka."+region+".amazonaws.com" || u.Path != "/" {
		t.Fatalf("signed url %s: want https://kafka.%s.amazonaws.com/", u, region)
	}
	date := q.Get("X-Amz-Date")
	scope := date[:8] + "/" + region + "/kafka-cluster/aws4_request"
	for k, want := range map[string]string{
		"Action": "kafka-cluster:Connect", "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
		"X-Amz-Credential": akid + "/" + scope, "X-Amz-Expires": "900", "X-Amz-SignedHeaders": "host",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(q.Get("User-Agent"), "aws-msk-iam-sasl-signer-go/") {
		t.Errorf("User-Agent = %q", q.Get("User-Agent"))
	}
	if ts, err := time.Parse("20060102T150405Z", date); err != nil || time.Since(ts) > time.Minute {
		t.Fatalf("X-Amz-Date %q is not now: %v", date, err)
	}

	// The signature covers every query parameter but itself and the
	// User-Agent the signer appends after signing.
	var keys []string
	for k := range q {
		if k != "X-Amz-Signature" && k != "User-Agent" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, awsEscape(k)+"="+awsEscape(q.Get(k)))
	}
	emptyHash := sha256.Sum256(nil)
	canonical := strings.Join([]string{"GET", "/", strings.Join(pairs, "&"),
		"host:" + u.Host + "\n", "host", hex.EncodeToString(emptyHash[:])}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	key := hmacSHA256([]byte("AWS4"+secret), date[:8])
	for _, part := range []string{region, "kafka-cluster", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	if want := hex.EncodeToString(hmacSHA256(key, toSign)); q.Get("X-Amz-Signature") != want {
		t.Fatalf("X-Amz-Signature = %s, recomputed %s", q.Get("X-Amz-Signature"), want)
	}
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// awsEscape is SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~
// percent-encoded.
func awsEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
