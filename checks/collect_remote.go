package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Commander runs one command on a (remote) host with stdin attached. A
// non-zero exit is returned as an error; stdout is still returned.
type Commander interface {
	Run(ctx context.Context, cmd string, stdin io.Reader) (stdout, stderr []byte, err error)
}

// MaxProbeOutput is the largest probe output ParseProbe accepts. The
// remote host is not trusted; a normal host prints about 10 KiB.
const MaxProbeOutput = 4 << 20

const (
	markerPrefix = "@@tunduk:"
	markerSuffix = "@@"
	endSection   = "end"
)

// ProbeScript returns the embedded remote probe (assets/probe.sh).
func ProbeScript() ([]byte, error) {
	return assets.FS.ReadFile("probe.sh")
}

// DefaultProbeTimeout bounds the probe when the caller's ctx has no
// deadline of its own: a normal host answers in well under a second, a
// slow one in seconds; one that accepted the login and then stalls must
// not hold the check for ever.
const DefaultProbeTimeout = 2 * time.Minute

// CollectRemote runs the probe once through c as `sh -s` (the script goes
// on stdin, nothing is written to the host) and parses its output. It
// runs under ctx's deadline, or DefaultProbeTimeout when ctx has none; a
// host past it ends with c's stall error (remote.StalledError), one that
// sends too much with c's output limit error (remote.ErrOutputLimit),
// whatever it printed before.
func CollectRemote(ctx context.Context, c Commander) (*Facts, error) {
	script, err := ProbeScript()
	if err != nil {
		return nil, fmt.Errorf("reading the embedded probe: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultProbeTimeout)
		defer cancel()
	}
	stdout, stderr, err := c.Run(ctx, "sh -s", bytes.NewReader(script))
	if err != nil && (!bytes.Contains(stdout, []byte(markerPrefix+endSection+markerSuffix)) || ctx.Err() != nil || errors.Is(err, remote.ErrOutputLimit)) {
		// An exit status already tells its stderr's last lines.
		var exit *remote.ExitError
		if msg := i18n.Line(string(stderr), i18n.MaxLine); msg != "" && !errors.As(err, &exit) {
			return nil, fmt.Errorf("running the probe: %w (%s)", err, msg)
		}
		return nil, fmt.Errorf("running the probe: %w", err)
	}
	return ParseProbe(stdout)
}

// markerName returns NAME for a line "@@tunduk:NAME@@".
func markerName(line string) (string, bool) {
	line = strings.TrimSuffix(line, "\r")
	if len(line) < len(markerPrefix)+len(markerSuffix)+1 || !strings.HasPrefix(line, markerPrefix) || !strings.HasSuffix(line, markerSuffix) {
		return "", false
	}
	return line[len(markerPrefix) : len(line)-len(markerSuffix)], true
}

// splitSections cuts probe output into sections by marker line. A section
// printed twice keeps its first copy. Sub-markers (file:, unreadable:)
// stay inside their section.
func splitSections(out string) (map[string]string, bool) {
	sections := map[string]string{}
	name, start := "", -1
	ended := false
	flush := func(end int) {
		if start >= 0 && name != "" {
			if _, dup := sections[name]; !dup {
				sections[name] = out[start:end]
			}
		}
	}
	pos := 0
	for pos < len(out) {
		nl := strings.IndexByte(out[pos:], '\n')
		lineEnd := len(out)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		line := out[pos:lineEnd]
		next := lineEnd + 1
		if n, ok := markerName(line); ok && !strings.HasPrefix(n, "file:") && !strings.HasPrefix(n, "unreadable:") {
			flush(pos)
			if n == endSection {
				ended = true
				name, start = "", -1
				break
			}
			if len(sections) >= 64 {
				name, start = "", -1
			} else {
				name, start = n, min(next, len(out))
			}
		}
		pos = next
	}
	if !ended {
		flush(len(out))
	}
	return sections, ended
}

// splitFiles reads a section made of @@tunduk:file:PATH@@ and
// @@tunduk:unreadable:PATH@@ blocks.
func splitFiles(s string) []ConfigFile {
	var out []ConfigFile
	var cur *ConfigFile
	var b strings.Builder
	flush := func() {
		if cur != nil {
			cur.Data = b.String()
			out = append(out, *cur)
		}
		cur = nil
		b.Reset()
	}
	for _, line := range splitLines(s) {
		if n, ok := markerName(line); ok {
			if p, ok := strings.CutPrefix(n, "file:"); ok {
				flush()
				cur = &ConfigFile{Path: p}
				continue
			}
			if p, ok := strings.CutPrefix(n, "unreadable:"); ok {
				flush()
				out = append(out, ConfigFile{Path: p, Unreadable: true})
				continue
			}
		}
		if cur != nil {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		if len(out) >= 256 {
			break
		}
	}
	flush()
	return out
}

// ErrProbeOutput marks probe output that cannot be used at all.
var ErrProbeOutput = errors.New("unusable probe output")

// ParseProbe turns the probe's output into Facts, with the same parsers
// the local collector uses. It never panics; output larger than
// MaxProbeOutput, without any section or cut short (no end marker) is an
// error wrapping ErrProbeOutput.
func ParseProbe(out []byte) (*Facts, error) {
	if len(out) > MaxProbeOutput {
		return nil, fmt.Errorf("%w: %d bytes is more than the %d allowed", ErrProbeOutput, len(out), MaxProbeOutput)
	}
	sec, ended := splitSections(string(out))
	if len(sec) == 0 {
		return nil, fmt.Errorf("%w: no sections found (is the remote shell POSIX sh?)", ErrProbeOutput)
	}
	if !ended {
		return nil, fmt.Errorf("%w: the output ended before the probe finished", ErrProbeOutput)
	}
	f := &Facts{}
	get := func(name string) (string, bool) {
		s, ok := sec[name]
		return s, ok
	}

	if s, _ := get("hostname"); strings.TrimSpace(s) != "" {
		f.Hostname = strings.TrimSpace(s)
	} else {
		f.Note("hostname", "the host did not report its name (uname -n)")
	}
	if s, _ := get("uname-m"); strings.TrimSpace(s) != "" {
		f.Arch = strings.TrimSpace(s)
	} else {
		f.Note("arch", "the host did not report its architecture (uname -m)")
	}
	s, _ := get("os-release")
	f.OS = ParseOSRelease(s)
	if f.OS.ID == "" {
		for _, cf := range splitFiles(s) {
			if cf.Unreadable {
				f.MarkUnreadable("os", cf.Path)
			}
		}
		noteOS(f)
	}
	s, _ = get("cpuinfo")
	f.CPU = ParseCPUInfo(s)
	noteCPU(f)
	s, _ = get("meminfo")
	f.Memory.TotalBytes = ParseMeminfo(s)
	if f.Memory.TotalBytes == 0 {
		f.Note("memory", "/proc/meminfo has no MemTotal")
	}
	s, _ = get("df")
	f.Disks = ParseDF(s)
	if len(f.Disks) == 0 {
		f.Note("disks", "df printed no usable line for / and /var/lib")
	}

	ipAddr, _ := get("ip-addr")
	ifs := ParseIPAddr(ipAddr)
	sp, _ := get("speed")
	rt, _ := get("route")
	f.Interfaces = finishInterfaces(ifs, ParseSpeeds(sp), ParseRoute(rt))
	if len(ifs) == 0 {
		f.Note("interfaces", "`ip -o addr show` printed nothing (is iproute2 installed?)")
	}
	np, _ := get("netplan")
	nm, _ := get("nm")
	iu, _ := get("ifupdown")
	addressingConfig{netplan: splitFiles(np), nm: splitFiles(nm), ifupdown: splitFiles(iu), ipAddr: ipAddr}.apply(f)
	noteSpeeds(f)

	s, _ = get("listen")
	tool, rest, _ := strings.Cut(s, "\n")
	switch strings.TrimSpace(tool) {
	case "tool: ss":
		f.Listening = ParseSS(rest)
	case "tool: netstat":
		f.Listening = ParseNetstat(rest)
	default:
		f.Note("listening", "neither ss nor netstat is installed")
	}

	s, _ = get("locale")
	f.Locales = ParseLocales(s)
	if len(f.Locales) == 0 {
		f.Note("locales", "`locale -a` printed nothing")
	}
	s, _ = get("timesync")
	var why string
	f.TimeSynced, why = parseTimeSection(s)
	if f.TimeSynced == nil {
		f.Note("time_synced", why)
	}
	s, _ = get("usb")
	f.USBTokens = ParseUSB(s)
	s, _ = get("pcscd")
	f.PCSCD = parsePCSCD(s)
	if f.PCSCD == nil {
		f.Note("pcscd_running", "neither pidof nor pgrep is installed")
	}
	s, _ = get("sudo")
	f.Sudo = ParseSudo(s)
	if f.Sudo == nil {
		f.Note("sudo", "`id` did not report the user")
	}
	return f, nil
}

// noteOS records why the operating system is unknown.
func noteOS(f *Facts) {
	if paths := f.Unreadable["os"]; len(paths) > 0 {
		f.Note("os", strings.Join(paths, ", ")+" could not be read (permission denied)")
		return
	}
	f.Note("os", "/etc/os-release is missing or unreadable")
}

// noteCPU records what ParseCPUInfo could not learn.
func noteCPU(f *Facts) {
	var miss []string
	if f.CPU.Model == "" {
		miss = append(miss, "model")
	}
	if f.CPU.Cores == 0 {
		miss = append(miss, "processor count")
	}
	if f.CPU.AES == nil {
		miss = append(miss, "flags")
	}
	if len(miss) > 0 {
		f.Note("cpu", "/proc/cpuinfo does not show the "+strings.Join(miss, ", "))
	}
}

// noteSpeeds records interfaces whose driver reports no link speed.
func noteSpeeds(f *Facts) {
	var none []string
	for _, it := range f.Interfaces {
		if it.SpeedMbps == nil {
			none = append(none, it.Name)
		}
	}
	if len(none) > 0 {
		f.Note("speed_mbps", "the driver reports no link speed for "+strings.Join(none, ", ")+" (usual for virtual NICs)")
	}
}
