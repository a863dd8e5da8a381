package connect_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// isServer is an information system's HTTPS server on loopback with its
// own self-signed certificate; hits counts the requests that reached it.
func isServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(s.Close)
	return s, &hits
}

func TestFetchCert(t *testing.T) {
	s, hits := isServer(t)
	ctx := context.Background()
	pc, err := connect.FetchCert(ctx, nil, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(s.Certificate().Raw)
	if strings.ReplaceAll(pc.SHA256, ":", "") != fmt.Sprintf("%X", sum) || len(pc.SHA256) != 95 {
		t.Fatalf("fingerprint %s", pc.SHA256)
	}
	if pc.Trusted || !strings.Contains(pc.Issuer, "Acme Co") || !pc.NotAfter.Equal(s.Certificate().NotAfter.UTC()) ||
		!strings.Contains(string(pc.PEM), "BEGIN CERTIFICATE") {
		t.Fatalf("%+v", pc)
	}
	if hits.Load() != 0 {
		t.Fatal("a request went to the information system")
	}
	for _, typed := range []string{pc.SHA256, strings.ToLower(strings.ReplaceAll(pc.SHA256, ":", "")), "sha256 Fingerprint=" + pc.SHA256, "SHA256:" + pc.SHA256} {
		if !pc.Matches(typed) {
			t.Errorf("%q does not match", typed)
		}
	}
	for _, typed := range []string{"", pc.SHA256[3:], strings.Replace(pc.SHA256, pc.SHA256[:2], "00", 1)} {
		if pc.Matches(typed) && typed != pc.SHA256 {
			t.Errorf("%q matches", typed)
		}
	}
}

// Through the security server: the SSH connection dials the address as
// the server sees it.
func TestFetchCertThroughSSH(t *testing.T) {
	s, _ := isServer(t)
	host := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, host.KnownHostsLine())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := remote.Dial(ctx, host.Config(kh))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := connect.FetchCert(ctx, c.DialTCP, s.URL)
	sum := sha256.Sum256(s.Certificate().Raw)
	if err != nil || strings.ReplaceAll(pc.SHA256, ":", "") != fmt.Sprintf("%X", sum) {
		t.Fatalf("%v %+v", err, pc)
	}
}

func TestFetchCertFailures(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepts and says nothing
		}
	}()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	for url, key := range map[string]string{
		"http://" + plain.Listener.Addr().String():  "connect.err.peer_url",
		"https://is.example.kg/path":                "connect.err.peer_url",
		"https://" + plain.Listener.Addr().String(): "connect.err.peer_tls",
		"https://" + silent.Addr().String():         "connect.err.peer_tls",
		"https://" + closedAddr:                     "connect.err.peer_dial",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		_, err := connect.FetchCert(ctx, nil, url)
		cancel()
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Key != key || time.Since(start) > 3*time.Second {
			t.Errorf("%s: %v after %v, want %s", url, err, time.Since(start), key)
		}
	}
}
