package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// An install that finishes on packages without the operator's certificate
// profile class (NIIS's in place of Tunduk's) is not a success: the run
// ends (the packages are in place), says why, and exits 3, in text and
// in JSON; with Tunduk's packages it exits 0. The runner runs a synthetic
// plan over a real sshd (this machine must never get the real one), and
// its final check reads the admin API of the contract fake and its
// proxy-1.0.jar through that connection, as on a server.
func TestInstallWithoutProfileClassExits3(t *testing.T) {
	h := testhost.StartSSHD(t, testhost.Options{})
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	t.Setenv(envRecord, filepath.Join(t.TempDir(), "onboarding.json"))
	for _, tc := range []struct {
		kyrgyz bool
		format string
		code   int
	}{{false, "text", exitNoProfileClass}, {false, "json", exitNoProfileClass}, {true, "text", exitOK}} {
		t.Run(fmt.Sprintf("class %v, %s", tc.kyrgyz, tc.format), func(t *testing.T) {
			f := xroadtest.Start(t)
			f.SetProxyJar(tc.kyrgyz)
			dir := t.TempDir()
			o := &installOpts{lang: "en", format: tc.format, adminUser: "ssadmin", profileClass: xroadtest.KyrgyzProfileClass, api: f.AdminAPI(),
				tune: func(r *installer.Runner) {
					r.JournalPath, r.LogDir, r.RunLock, r.Poll = filepath.Join(dir, "journal.json"), filepath.Join(dir, "logs"), filepath.Join(dir, "run.lock"), 0
				}}
			steps := []installer.Step{{ID: "packages", Title: i18n.Text{EN: "Packages", RU: "Пакеты", KY: "Пакеттер"},
				Check: fmt.Sprintf("[ -e %s/done ]", dir), Apply: fmt.Sprintf("touch %s/done", dir)}}
			cfg := h.Config(kh)
			host := installHost{name: h.IP, login: sshLogin(cfg.Target), version: "7.4.2",
				record: newInstallRecord("en", &bytes.Buffer{}, ob.Server{Host: h.IP, Port: h.Port, User: h.User}),
				conn: func(ctx context.Context) (remote.Host, error) {
					c, err := remote.Dial(ctx, cfg)
					if err != nil {
						return nil, err
					}
					return c, nil
				}}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			code := exitWith(runPlan(ctx, cancel, o, host, steps, "", &out, &errOut), "en", &errOut)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out.String(), errOut.String())
			}
			// The finding is in the record the wizard reads after a restart.
			rec, err := ob.Load(os.Getenv(envRecord))
			if want := map[bool]string{true: installer.ClassPresent, false: installer.ClassAbsent}[tc.kyrgyz]; err != nil || rec.Install == nil ||
				rec.Install.ProfileClass != want || rec.Install.ProfileClassAbsent() == tc.kyrgyz {
				t.Fatalf("record: %v %+v, want profile class %s", err, rec.Install, want)
			}
			absent := i18n.T("en", "installer.profile_class.absent", map[string]any{"Class": "KgSkKlass3CertificateProfileInfoProvider", "Jar": f.AdminAPI().ProxyJar})
			if tc.format == "json" {
				var res installResult
				if err := json.Unmarshal([]byte(lastLine(out.String())), &res); err != nil || res.Status != "installed" ||
					res.ProfileClass == nil || res.ProfileClass.Status != installer.ClassAbsent {
					t.Fatalf("json: %v %+v\n%s", err, res, out.String())
				}
				return
			}
			next := i18n.T("en", "cli.install.installed.todo", map[string]any{"Host": h.IP, "Login": sshLogin(cfg.Target), "User": "ssadmin"})
			if tc.kyrgyz == strings.Contains(out.String(), absent) || tc.kyrgyz != strings.Contains(out.String(), next) {
				t.Fatalf("text output (class there: %v):\n%s", tc.kyrgyz, out.String())
			}
		})
	}
}
