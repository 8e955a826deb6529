package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/callctl/callctl/exchsim"
)

// benchTLS is the one certificate every simulator of a run serves (in
// process, or as a child through tlsEnv), with the CA the policy's ca_file
// and the bare client trust. The simulators set Extended Protection to
// allow: callctl's channel bindings are checked (a wrong one is refused,
// a right one counted in cbt_valid), and the bare client, which like most
// Go programs has none, is still let in.
type benchTLS struct {
	cert, key, ca string
}

// tlsEnv passes the certificate to child processes: "CERT,KEY,CA".
const tlsEnv = "CALLBENCH_TLS"

// newBenchTLS writes a fresh certificate under dir.
func newBenchTLS(dir string) (*benchTLS, error) {
	cert, key, ca, err := exchsim.WriteCertificate(dir)
	if err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	return &benchTLS{cert: cert, key: key, ca: ca}, nil
}

// tlsFromEnv is the parent's certificate in a child; nil over plain http.
func tlsFromEnv() *benchTLS {
	parts := strings.Split(os.Getenv(tlsEnv), ",")
	if len(parts) != 3 {
		return nil
	}
	return &benchTLS{cert: parts[0], key: parts[1], ca: parts[2]}
}

func (t *benchTLS) env() string { return tlsEnv + "=" + t.cert + "," + t.key + "," + t.ca }

// serve sets a simulator's options to serve the certificate.
func (t *benchTLS) serve(opts *exchsim.Options) error {
	if t == nil {
		return nil
	}
	c, err := exchsim.LoadCertificate(t.cert, t.key)
	if err != nil {
		return err
	}
	opts.Certificate, opts.EPA = c, exchsim.EPAAllow
	return nil
}

// clientConfig trusts the CA; nil over plain http.
func (t *benchTLS) clientConfig() (*tls.Config, error) {
	if t == nil {
		return nil, nil
	}
	pem, err := os.ReadFile(t.ca)
	if err != nil {
		return nil, fmt.Errorf("callbench: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// policyVars are the -var settings that point the fixture policy at url
// and, over https, trust the CA.
func (o options) policyVars(url string) []string {
	vars := []string{"ews_url=" + url}
	if o.tls != nil {
		vars = append(vars, "ca_file="+o.tls.ca)
	}
	return vars
}

// policyVarArgs is policyVars as callctl flags.
func (o options) policyVarArgs(url string) []string {
	var args []string
	for _, v := range o.policyVars(url) {
		args = append(args, "-var", v)
	}
	return args
}

// scheme names the transport for the report's first line.
func (o options) scheme() string {
	if o.tls != nil {
		return "https (Extended Protection allow: callctl binds, the bare client does not)"
	}
	return "plain http"
}
