package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for mra.test and 127.0.0.1 and its key,
// made here, and returns their files and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mra.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"mra.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// The demo over HTTPS with a certificate made here: it serves https, the
// session cookie is Secure, the certificate's name is a host it answers to
// (another name is refused), and plain HTTP gets no answer of ours.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	var out bytes.Buffer
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "mra.db"), Demo: true, TLSCert: certFile, TLSKey: keyFile}, quiet(), &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close(context.Background()) })
	if !strings.HasPrefix(app.URL(), "https://127.0.0.1:") || !strings.Contains(out.String(), app.URL()) {
		t.Fatalf("URL %q; printed:\n%s", app.URL(), out.String())
	}
	pw := demoPasswords(t, out.String())
	addr := strings.TrimPrefix(app.URL(), "https://")
	_, port, _ := net.SplitHostPort(addr)
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr) // every name is this server
		},
	}}
	loginAs := func(base string) *http.Response {
		body, _ := json.Marshal(map[string]string{"user": "alice", "password": pw["alice"]})
		res, err := hc.Post(base+"/api/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, base := range []string{app.URL(), "https://mra.test:" + port} {
		res := loginAs(base)
		if c := res.Header.Get("Set-Cookie"); res.StatusCode != 200 || res.TLS == nil || !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") {
			t.Errorf("login at %s: %d, cookie %q", base, res.StatusCode, c)
		}
	}
	// The certificate is valid for nothing else: a rebound name is refused
	// even by a client that skips verification.
	hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	if res := loginAs("https://rebound.example:" + port); res.StatusCode != http.StatusForbidden {
		t.Errorf("login with a foreign Host over TLS: %d", res.StatusCode)
	}
	// Plain HTTP on the TLS port: no HTTP answer (Go's TLS server says 400
	// in plain text at most; never a page or a cookie).
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	if res, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil && (res.StatusCode != 400 || res.Header.Get("Set-Cookie") != "") {
		t.Errorf("plain HTTP on the TLS port: %d", res.StatusCode)
	}
}

// The flags: --tls-cert needs --tls-key, --trusted-proxy takes a CIDR or
// an address.
func TestServeFlags(t *testing.T) {
	var stderr bytes.Buffer
	if code := runServe([]string{"--tls-cert", "x.pem", "--db", filepath.Join(t.TempDir(), "a.db")}, nil, io.Discard, &stderr); code == exitOK || !strings.Contains(stderr.String(), "--tls-key") {
		t.Errorf("--tls-cert alone: %d %s", code, stderr.String())
	}
	stderr.Reset()
	if code := runServe([]string{"--trusted-proxy", "not-a-cidr"}, nil, io.Discard, &stderr); code != exitUsage {
		t.Errorf("bad --trusted-proxy: %d %s", code, stderr.String())
	}
	cfg := Config{Addr: "mra.customs.example:8443", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	sv, tc, err := cfg.serving()
	if err != nil || tc != nil || len(sv.Hosts) != 1 || sv.Hosts[0] != "mra.customs.example" || len(sv.TrustedProxies) != 1 {
		t.Errorf("serving of %+v: %+v %v %v", cfg, sv, tc, err)
	}
}

// A page path that is not valid UTF-8 is a 4xx (the embedded page's file
// server answered 500), and the page's answers are nosniff too.
func TestServeInvalidPath(t *testing.T) {
	app, err := Open(Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "mra.db")}, quiet(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close(context.Background()) })
	for _, p := range []string{"/%ff", "/%c3%28.js", "/static/%fe", "/a%ffb/", "/api/negotiations/%ff/export"} {
		c, err := net.Dial("tcp", strings.TrimPrefix(app.URL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET "+p+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode < 400 || res.StatusCode >= 500 || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d (nosniff %q), want a 4xx", p, res.StatusCode, res.Header.Get("X-Content-Type-Options"))
		}
	}
}
