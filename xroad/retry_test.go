package xroad_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// TestRateLimitAndHostileEcho: 429 is retried a bounded number of times;
// a server that echoes a PIN or password back in its error gets it
// redacted before the error leaves the client.
func TestRateLimitAndHostileEcho(t *testing.T) {
	f := xroadtest.StartWith(t, xroadtest.Options{PINPolicy: true})
	c, logs := client(t, f)
	ctx := context.Background()
	if _, err := c.CreateAPIKey(ctx, adminUser, adminPass, []string{xroad.RoleSystemAdministrator}); err != nil {
		t.Fatal(err)
	}

	count := func(limit int, call func() error) (int, error) {
		f.RateLimit(limit)
		before := len(f.Calls())
		err := call()
		return len(f.Calls()) - before, err
	}
	version := func() error { _, err := c.Version(ctx); return err }
	if n, err := count(2, version); err != nil || n != 3 {
		t.Fatalf("two 429s then success: %d attempts, %v", n, err)
	}
	n, err := count(100, version)
	apiErr(t, err, 429, "")
	if n != c.MaxRetries+1 {
		t.Fatalf("an endless 429 took %d attempts, want %d", n, c.MaxRetries+1)
	}
	// A cancelled context ends the wait at once, whatever Retry-After says.
	c.MaxWait = time.Minute
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, err = count(100, func() error { _, err := c.Version(cctx); return err })
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("cancelled during a 429 wait: %v after %v", err, time.Since(start))
	}
	c.MaxWait = 20 * time.Millisecond
	// A body is sent again whole on retry: the anchor upload still works.
	if n, err := count(1, func() error { return c.UploadInitialAnchor(ctx, f.Anchor(instance)) }); err != nil || n != 2 {
		t.Fatalf("anchor upload after a 429: %d attempts, %v", n, err)
	}

	f.EchoSecrets(true)
	var errs []string
	err = c.Initialize(ctx, xroad.InitialServerConf{OwnerMemberClass: memberClass, OwnerMemberCode: memberCode, SecurityServerCode: serverCode, SoftwareTokenPIN: weakPin})
	e := apiErr(t, err, 400, xroad.CodeWeakPin)
	if !strings.Contains(err.Error(), "[redacted]") || len(e.Metadata) != 5 {
		t.Fatalf("the echoed PIN was not redacted: %v", err)
	}
	errs = append(errs, err.Error())
	if err := c.Initialize(ctx, xroad.InitialServerConf{OwnerMemberClass: memberClass, OwnerMemberCode: memberCode, SecurityServerCode: serverCode, SoftwareTokenPIN: pin}); err != nil {
		t.Fatal(err)
	}
	_, err = c.LoginToken(ctx, xroad.SoftwareTokenID, weakPin)
	apiErr(t, err, 400, "pin_incorrect")
	errs = append(errs, err.Error())
	_, err = c.CreateAPIKey(ctx, adminUser, "wrong-"+adminPass, []string{xroad.RoleSecurityOfficer})
	apiErr(t, err, 401, "")
	errs = append(errs, err.Error())
	noSecrets(t, f, logs.String(), strings.Join(errs, "\n"))
}
