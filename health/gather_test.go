package health_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// env is a fake server in service behind a real sshd whose systemctl
// is a stub (the test machine runs no systemd): it answers "active"
// for every unit except those listed in the file stopped.
type env struct {
	f       *xroadtest.Server
	c       *remote.Client
	api     *xroad.Client
	prof    *profile.Profile
	stopped string
	open    string // a loopback address that accepts
	closed  string // one that refuses
}

func start(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	stub, stopped := testhost.StubSystemctl(t)
	e := &env{stopped: stopped}
	// The message log archive with one file of 40 KiB.
	arch := filepath.Join(dir, "xroad")
	os.Mkdir(arch, 0o755)
	os.WriteFile(filepath.Join(arch, "mlog-20261201-20261202-abc.zip"), make([]byte, 40<<10), 0o644)

	e.open, e.closed = testhost.AcceptingAddr(t), testhost.RefusingAddr(t)

	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	p.Health.DataPaths = []string{dir}
	p.Health.MinFreeBytes = 1 << 20
	p.Health.ArchivePath = arch
	e.prof = p

	e.f = xroadtest.Start(t)
	e.f.Operate(t, 200)
	e.f.SetOCSP("http://"+e.open, "")
	e.f.SetTSAURL("http://" + e.open)
	c, _ := testhost.Dial(t, testhost.Options{Binds: [][2]string{{stub, "/usr/bin/systemctl"}}})
	e.c = c
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := e.f.Admin()
	s, err := configure.OpenWith(ctx, c, e.f.AdminAPI(), configure.Credentials{User: admin.User, Password: admin.Password},
		health.Roles)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	e.api = s.API()
	return e
}

func (e *env) gather(t *testing.T) health.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return health.Gather(ctx, e.api, e.c, e.prof, health.Options{Name: "ss1"})
}

// find is the one finding whose ID starts with prefix and ends with suffix.
func find(t *testing.T, r health.Report, prefix, suffix string, usage ...string) health.Finding {
	t.Helper()
	var got []health.Finding
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, prefix) && strings.HasSuffix(f.ID, suffix) && (len(usage) == 0 || f.Labels["usage"] == usage[0]) {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d findings %s…%s in %s", len(got), prefix, suffix, ids(r))
	}
	return got[0]
}

func ids(r health.Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.ID+"="+string(f.Status))
	}
	return strings.Join(s, " ")
}

// TestHealthyThenEachFault: a server in service is OK throughout; then
// each fault the issue names is forced and found with its status.
func TestHealthyThenEachFault(t *testing.T) {
	e := start(t)
	r := e.gather(t)
	if r.Worst() != health.OK || r.ServerID == "" {
		t.Fatalf("healthy server: worst %s, server %q: %s", r.Worst(), r.ServerID, ids(r))
	}
	if f := find(t, r, "archive", ""); f.Value == nil || *f.Value < 40<<10 {
		t.Fatalf("archive %+v", f)
	}
	for _, f := range r.Findings {
		if f.Title.EN == "" || f.Title.RU == "" || f.Title.KY == "" || strings.HasPrefix(f.Title.EN, "health.") || strings.HasPrefix(f.Observed.RU, "health.") {
			t.Fatalf("untranslated finding %+v", f)
		}
		if f.Metric != "" && !strings.HasPrefix(f.Metric, "tunduk_onboard_") {
			t.Fatalf("metric %s", f.Metric)
		}
	}

	cases := []struct {
		name           string
		force, restore func()
		prefix, suffix string
		want           health.Status
	}{
		{"signing token logged out", func() { e.f.MoveSigningKeyToHW(); e.f.LogOutToken(xroadtest.HWTokenID) }, nil,
			"token." + xroadtest.HWTokenID, "", health.Critical},
		{"globalconf 2 hours old", func() { e.f.SetGlobalConfAge(2 * time.Hour) }, func() { e.f.SetGlobalConfAge(0) },
			"globalconf", "", health.Critical},
		{"globalconf 6 minutes old", func() { e.f.SetGlobalConfAge(6 * time.Minute) }, func() { e.f.SetGlobalConfAge(0) },
			"globalconf", "", health.Warning},
		{"certificate OCSP unknown", func() { e.f.SetCertOCSP(xroad.UsageAuthentication, xroad.OCSPUnknown) },
			func() { e.f.SetCertOCSP(xroad.UsageAuthentication, xroad.OCSPGood) }, "cert.", ".ocsp", health.Critical},
		{"OCSP responder failing", func() { e.f.SetOCSP("", "ERROR_CODE_OCSP_CONNECTION_ERROR") }, func() { e.f.SetOCSP("http://"+e.open, "") },
			"ocsp.", "", health.Critical},
		{"unit stopped", func() { os.WriteFile(e.stopped, []byte("xroad-signer\n"), 0o644) }, func() { os.WriteFile(e.stopped, nil, 0o644) },
			"unit.xroad-signer", "", health.Critical},
		{"backup 10 days old", func() { e.f.SetBackups(xroadtest.BackupAt(time.Now().Add(-240 * time.Hour))) }, nil,
			"backup", "", health.Warning},
	}
	for _, c := range cases {
		c.force()
		r := e.gather(t)
		var f health.Finding
		if strings.HasPrefix(c.prefix, "cert.") {
			f = find(t, r, c.prefix, c.suffix, "authentication")
		} else {
			f = find(t, r, c.prefix, c.suffix)
		}
		if f.Status != c.want || f.Why.EN == "" || f.Fix.KY == "" {
			t.Errorf("%s: %+v", c.name, f)
		}
		if c.restore != nil {
			c.restore()
		}
	}
}

// TestCertificateExpiry: 10 days left is critical (below 14), 20 a
// warning (below 30), each with the days as its value.
func TestCertificateExpiry(t *testing.T) {
	for _, c := range []struct {
		days int
		want health.Status
	}{{10, health.Critical}, {20, health.Warning}, {5, health.Critical}} {
		e := start(t)
		e.f = nil
		f2 := xroadtest.Start(t)
		f2.Operate(t, c.days)
		f2.SetOCSP("http://"+e.open, "")
		f2.SetTSAURL("http://" + e.open)
		s, err := configure.OpenWith(context.Background(), e.c, f2.AdminAPI(), configure.Credentials{User: xroadtest.AdminUser, Password: xroadtest.AdminPassword},
			health.Roles)
		if err != nil {
			t.Fatal(err)
		}
		e.api = s.API()
		r := e.gather(t)
		s.Close(context.Background())
		n := 0
		for _, f := range r.Findings {
			if strings.HasSuffix(f.ID, ".expiry") {
				n++
				if f.Status != c.want || f.Value == nil || int(*f.Value/86400+0.5) != c.days || !strings.Contains(f.Observed.EN, strconv.Itoa(c.days-1)) && !strings.Contains(f.Observed.EN, strconv.Itoa(c.days)) {
					t.Errorf("%d days: %+v (value %v)", c.days, f, *f.Value)
				}
			}
		}
		if n != 2 {
			t.Fatalf("%d expiry findings", n)
		}
	}
}

// TestNetworkPath: from the server, one address accepts and one
// refuses; the anchor's central server is tried too.
func TestNetworkPath(t *testing.T) {
	e := start(t)
	e.prof.Health.Endpoints = []string{e.open, e.closed}
	_, port, _ := net.SplitHostPort(e.open)
	anchor := []byte(`<?xml version="1.0"?><tns:conf xmlns:tns="http://x-road.eu/xsd/xroad.xsd"><instanceIdentifier>central-server</instanceIdentifier><source><downloadURL>http://127.0.0.1:` + port + `/internalconf</downloadURL></source></tns:conf>`)
	e.f.SetOCSP("http://"+e.closed, "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := health.Gather(ctx, e.api, e.c, e.prof, health.Options{Name: "ss1", Anchor: anchor})
	if f := find(t, r, "path."+e.open, ""); f.Status != health.OK || f.Value == nil || *f.Value != 1 {
		t.Errorf("open: %+v", f)
	}
	if f := find(t, r, "path."+e.closed, ""); f.Status != health.Critical || !strings.Contains(f.Observed.EN, "refused") {
		t.Errorf("closed: %+v", f)
	}
	if f := find(t, r, "path.127.0.0.1:4001", ""); f.Labels["purpose"] != "management" {
		t.Errorf("management: %+v", f)
	}
	// The address is the profile's and the OCSP responder's: tried once.
	if f := find(t, r, "path."+e.closed, ""); f.Labels["purpose"] != "ocsp" {
		t.Errorf("ocsp: %+v", f)
	}
}

// What Gather reports passes `promtool check metrics`: names in base
// units (a _days metric made promtool exit 3), one HELP and TYPE each.
func TestGatheredMetricsPassPromtool(t *testing.T) {
	if _, err := exec.LookPath("promtool"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test needs promtool (Debian: prometheus; build/deps.sh installs it)")
		}
		t.Skip("this test needs promtool (Debian: prometheus; build/deps.sh installs it)")
	}
	e := start(t)
	e.f.LogOutToken(xroad.SoftwareTokenID) // a critical finding among the rest
	var b strings.Builder
	if err := health.WriteMetrics(&b, []health.Report{e.gather(t)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(b.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v: %s\n%s", err, out, b.String())
	}
}

// TestArchiveGrowthFromProbe: through the real probe, the archive's size
// against a history two days old gives its growth a day, and the free
// space of the archive's disk (df on the server) the days it lasts.
func TestArchiveGrowthFromProbe(t *testing.T) {
	e := start(t)
	hist := &health.History{Schema: health.HistorySchema, Hosts: map[string][]health.Sample{
		"ss1": {{At: time.Now().Add(-48 * time.Hour), Bytes: 0}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := health.Gather(ctx, e.api, e.c, e.prof, health.Options{Name: "ss1", History: hist})
	f := find(t, r, "archive.growth", "")
	// 40 KiB over two days: the free space of this machine lasts for ages.
	if f.Status != health.OK || f.Value == nil || *f.Value < 19<<10 || *f.Value > 21<<10 ||
		!strings.Contains(f.Observed.EN, "Grows 20.0 KiB a day (over the last 2d)") || !strings.Contains(f.Observed.EN, "free on its disk last more than three years") {
		t.Fatalf("growth %+v", f)
	}
}
