package health

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

func metricValue(v float64) *float64 { return &v }

// hostileLabel holds what a host may put into a label value.
const hostileLabel = "a\"quote\\back\nnew\rcr\ttab\x00nul\xff\xfebad \u202eRTL {x=\"1\"} # HELP"

func sampleReports() []Report {
	at := time.Date(2026, 12, 2, 10, 0, 0, 500e6, time.UTC)
	return []Report{
		{Schema: Schema, Host: "ss1.example.kg", ServerID: "TUNDUK/GOV/70000001/ss1", CheckedAt: at, Findings: []Finding{
			{ID: "units", Status: OK, Title: i18n.Same("X-Road services")},
			{ID: "cert.ab12", Status: Critical, Title: i18n.Same("Signing certificate expires"),
				Metric: "tunduk_onboard_cert_expiry_seconds", Value: metricValue(10 * 86400),
				Labels: map[string]string{"usage": "signing", "host": "clash", "9bad-name": "v"}},
			{ID: "globalconf", Status: Warning, Title: i18n.Same("Global configuration age"),
				Metric: "tunduk_onboard_globalconf_age_seconds", Value: metricValue(7200)},
		}},
		{Schema: Schema, Host: hostileLabel, ServerID: hostileLabel, CheckedAt: at, Findings: []Finding{
			{ID: hostileLabel, Status: Warning, Title: i18n.Same("line\nbreak \\ in help"),
				Metric: "tunduk_onboard_cert_expiry_seconds", Value: metricValue(25 * 86400),
				Labels: map[string]string{"usage": hostileLabel}},
		}},
		{Schema: Schema, Host: "down.example.kg", CheckedAt: at, Err: "connection refused"},
	}
}

// sample is one parsed line of an exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseExposition reads samples as the text format defines them (label
// values unescaped), independently of the writer under test.
func parseExposition(t *testing.T, text string) []sample {
	t.Helper()
	var out []sample
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s := sample{labels: map[string]string{}}
		i := strings.IndexAny(line, "{ ")
		s.name, line = line[:i], line[i:]
		if line[0] == '{' {
			line = line[1:]
			for line[0] != '}' {
				eq := strings.Index(line, `="`)
				name := line[:eq]
				line = line[eq+2:]
				var v strings.Builder
				for line[0] != '"' {
					if line[0] == '\\' {
						switch line[1] {
						case 'n':
							v.WriteByte('\n')
						default:
							v.WriteByte(line[1])
						}
						line = line[2:]
						continue
					}
					v.WriteByte(line[0])
					line = line[1:]
				}
				s.labels[name] = v.String()
				line = strings.TrimPrefix(line[1:], ",")
			}
			line = line[1:]
		}
		f, err := strconv.ParseFloat(strings.Fields(line)[0], 64)
		if err != nil {
			t.Fatalf("value of %q: %v", s.name, err)
		}
		s.value = f
		out = append(out, s)
	}
	return out
}

// findSample returns the value of the sample named name whose labels include want.
func findSample(ss []sample, name string, want map[string]string) (float64, bool) {
	for _, s := range ss {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range want {
			match = match && s.labels[k] == v
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

func checkSamples(t *testing.T, ss []sample) {
	t.Helper()
	clean := strings.ToValidUTF8(hostileLabel, "\uFFFD")
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{MetricStatus, map[string]string{"host": "ss1.example.kg", "server_id": "TUNDUK/GOV/70000001/ss1"}, 2},
		{MetricStatus, map[string]string{"host": clean, "server_id": clean}, 1},
		{MetricStatus, map[string]string{"host": "down.example.kg"}, 3},
		{MetricLastCheck, map[string]string{"host": "ss1.example.kg"}, 1796205600.5},
		{MetricFindingStatus, map[string]string{"host": "ss1.example.kg", "id": "units"}, 0},
		{MetricFindingStatus, map[string]string{"host": "ss1.example.kg", "id": "globalconf"}, 1},
		{MetricFindingStatus, map[string]string{"host": clean, "id": clean}, 1},
		{"tunduk_onboard_cert_expiry_seconds", map[string]string{"host": "ss1.example.kg", "usage": "signing", "exported_host": "clash", "_9bad_name": "v"}, 864000},
		{"tunduk_onboard_cert_expiry_seconds", map[string]string{"host": clean, "usage": clean}, 2160000},
		{"tunduk_onboard_globalconf_age_seconds", map[string]string{"host": "ss1.example.kg"}, 7200},
	} {
		got, ok := findSample(ss, c.name, c.labels)
		if !ok {
			t.Errorf("no %s%v", c.name, c.labels)
		} else if got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func TestWriteMetrics(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMetrics(&b, sampleReports()); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	checkSamples(t, parseExposition(t, out))
	for _, name := range []string{MetricStatus, MetricFindingStatus, MetricLastCheck, "tunduk_onboard_cert_expiry_seconds"} {
		if n := strings.Count(out, "# TYPE "+name+" gauge\n"); n != 1 {
			t.Errorf("TYPE of %s %d times, want once", name, n)
		}
	}
	if !strings.Contains(out, `# HELP tunduk_onboard_cert_expiry_seconds Signing certificate expires`) {
		t.Errorf("HELP from the finding's title missing:\n%s", out)
	}
	// The same report twice: no sample repeated (a collector refuses the file).
	b.Reset()
	WriteMetrics(&b, append(sampleReports(), sampleReports()...))
	if b.String() != out {
		t.Errorf("a repeated report changed the exposition")
	}
	promtool(t, out)
}

// promtool runs `promtool check metrics` on the exposition: it parses it
// as Prometheus does and lints it (names, units, HELP).
func promtool(t *testing.T, text string) {
	t.Helper()
	needTool(t, "promtool (Debian: prometheus)", haveTool("promtool"))
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n--- input:\n%s", err, out, text)
	}
}

func TestMetricsPromtoolRefusesBroken(t *testing.T) {
	// The check can fail: a label value with a raw quote is refused.
	needTool(t, "promtool (Debian: prometheus)", haveTool("promtool"))
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader("# HELP x_seconds X.\n# TYPE x_seconds gauge\nx_seconds{host=\"a\"b\"} 1\n")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("promtool took a broken exposition: %s", out)
	}
}

func TestWriteMetricsFileName(t *testing.T) {
	dir := t.TempDir()
	if err := WriteMetricsFile(filepath.Join(dir, "tunduk.txt"), sampleReports()); err == nil {
		t.Fatal("a name not ending in .prom was taken: the collector would never read it")
	}
	p := filepath.Join(dir, "tunduk.prom")
	if err := WriteMetricsFile(p, sampleReports()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v; want 0644 (node_exporter reads it as its own user)", st.Mode(), err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("files left beside it: %v", ents)
	}
}

// TestNodeExporterReadsMetricsFile: a real prometheus-node-exporter with
// only its textfile collector reads the file, and a scrape over HTTP on
// loopback returns each metric with its value.
func TestNodeExporterReadsMetricsFile(t *testing.T) {
	const bin = "prometheus-node-exporter"
	needTool(t, bin+" (Debian: prometheus-node-exporter)", haveTool(bin))
	dir := t.TempDir()
	if err := WriteMetricsFile(filepath.Join(dir, "tunduk.prom"), sampleReports()); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopback(t)
	cmd := exec.Command(bin, "--collector.disable-defaults", "--collector.textfile",
		"--collector.textfile.directory", dir, "--web.listen-address", addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node_exporter did not answer on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	ss := parseExposition(t, body)
	if v, ok := findSample(ss, "node_textfile_scrape_error", nil); !ok || v != 0 {
		t.Fatalf("node_textfile_scrape_error = %v (%v): the collector refused the file\n%s", v, ok, logs.String())
	}
	checkSamples(t, ss)
}

// freeLoopback is a loopback address with a port nothing listens on now.
func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// needTool fails (CI) or skips the test when a real part is missing.
func needTool(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("this test needs %s (build/deps.sh installs it)", what)
	}
	t.Skip(fmt.Sprintf("this test needs %s (build/deps.sh installs it)", what))
}

func haveTool(tool string) bool { _, err := exec.LookPath(tool); return err == nil }
