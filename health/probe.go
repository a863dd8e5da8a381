package health

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// maxProbeOut bounds what the probe may print: a few lines per unit,
// path and address.
const maxProbeOut = 64 << 10

// probeScript is the one exec on the server: POSIX sh printing
// sections, each line "KEY VALUE". Every path, unit and address was
// validated by the profile or ValidEndpoint, and is quoted anyway.
func probeScript(th profile.Health, units []string, addrs []Endpoint) string {
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL\n")
	b.WriteString("echo '#date'; date +%s.%N\n")
	b.WriteString("echo '#units'\n")
	for _, u := range units {
		// is-active prints active, inactive, failed, activating...;
		// without systemd it prints nothing and the unit is unknown.
		fmt.Fprintf(&b, "printf '%%s %%s\\n' %s \"$(systemctl is-active %s 2>/dev/null | head -n 1)\"\n", remote.Quote(u), remote.Quote(u+".service"))
	}
	b.WriteString("echo '#df'\n")
	for _, p := range th.DataPaths {
		fmt.Fprintf(&b, "printf '%%s %%s\\n' %s \"$(df -Pk %s 2>/dev/null | awk 'NR==2{print $4}')\"\n", remote.Quote(p), remote.Quote(p))
	}
	// The message log archive: X-Road 7.4.2 MessageLogProperties.java
	// (archive-path, default /var/lib/xroad), files mlog-*.zip (LogArchiveWriter).
	b.WriteString("echo '#archive'\n")
	// Its disk's free space, for the days it lasts at the archive's growth.
	a := remote.Quote(th.ArchivePath)
	fmt.Fprintf(&b, "if [ -d %s ]; then find %s -maxdepth 1 -name 'mlog-*.zip' -type f 2>/dev/null | head -n 100000 | tr '\\n' '\\0' | xargs -0 -r du -ck 2>/dev/null | tail -n 1 | awk '{print \"kb \" $1}'; echo 'dir yes'; printf 'free %%s\\n' \"$(df -Pk %s 2>/dev/null | awk 'NR==2{print $4}')\"; fi\n",
		a, a, a)
	b.WriteString("echo '#tcp'\n")
	b.WriteString(tcpLines(th, addrs))
	b.WriteString("echo '#end'\n")
	return b.String()
}

// probeOut is what the probe printed, by section.
type probeOut struct {
	serverTime    float64
	units         map[string]string
	freeKB        map[string]string
	archiveKB     string
	archiveFreeKB string // free on the archive's disk
	archiveDir    bool
	tcp           map[string]int
	complete      bool
}

func parseProbe(out []byte) probeOut {
	p := probeOut{units: map[string]string{}, freeKB: map[string]string{}, tcp: map[string]int{}}
	sec := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			sec = line[1:]
			p.complete = sec == "end"
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		switch sec {
		case "date":
			p.serverTime, _ = strconv.ParseFloat(strings.TrimSpace(line), 64)
		case "units":
			p.units[k] = strings.TrimSpace(v)
		case "df":
			p.freeKB[k] = strings.TrimSpace(v)
		case "archive":
			switch k {
			case "kb":
				p.archiveKB = strings.TrimSpace(v)
			case "free":
				p.archiveFreeKB = strings.TrimSpace(v)
			case "dir":
				p.archiveDir = true
			}
		case "tcp":
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				p.tcp[k] = n
			}
		}
	}
	return p
}

// fromHost runs the probe once and turns its sections into findings.
func (g *gatherer) fromHost(ctx context.Context, h remote.Host, anchor []byte) {
	addrs := g.endpoints(anchor)
	units := g.p.Install.Units
	if h == nil {
		g.add(unknown("host", "ssh", errors.New("no connection")))
		return
	}
	// The probe's own bound: each TCP connect's, plus the rest.
	budget := time.Duration(len(addrs)*g.th.ProbeSeconds)*time.Second + 20*time.Second
	pctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	start := time.Now()
	local0 := g.now()
	out, _, err := h.Run(pctx, probeScript(g.th, units, addrs), nil)
	elapsed := time.Since(start)
	if len(out) > maxProbeOut {
		out = out[:maxProbeOut]
	}
	p := parseProbe(out)
	if err != nil && !p.complete {
		var ee *remote.ExitError
		if !errors.As(err, &ee) {
			g.add(unknown("host", "ssh", err))
			return
		}
	}
	g.units(units, p)
	g.clock(p, local0, elapsed)
	g.disks(p)
	g.archive(p)
	g.path(addrs, p)
}

func (g *gatherer) units(units []string, p probeOut) {
	for _, u := range units {
		state := clean(p.units[u])
		d := map[string]any{"Unit": u, "State": state}
		id := "unit." + u
		l := map[string]string{"unit": u}
		switch state {
		case "active":
			g.add(withValue(mk(id, OK, "unit", "observed", d), 1, "tunduk_onboard_unit_active", l))
		case "":
			g.add(mk(id, Unknown, "unit", "none", d))
		case "activating", "reloading":
			g.add(withValue(mk(id, Warning, "unit", "observed", d), 0, "tunduk_onboard_unit_active", l))
		default:
			g.add(withValue(mk(id, Critical, "unit", "observed", d), 0, "tunduk_onboard_unit_active", l))
		}
	}
}

// clock: the server's time against this computer's when the exec began.
// The exec's own start-up and round trip make the measure uncertain by
// up to elapsed: only the excess beyond it counts.
func (g *gatherer) clock(p probeOut, local0 time.Time, elapsed time.Duration) {
	if p.serverTime == 0 {
		g.add(unknown("clock", "date", errors.New("the server did not print its time")))
		return
	}
	local := float64(local0.UnixNano()) / 1e9
	off := p.serverTime - local
	excess := max(0, abs(off)-elapsed.Seconds())
	st := OK
	switch {
	case excess >= g.th.ClockCriticalSeconds:
		st = Critical
	case excess >= g.th.ClockWarnSeconds:
		st = Warning
	}
	d := map[string]any{"Offset": fmt.Sprintf("%+.1f", off), "Within": fmt.Sprintf("%.1f", elapsed.Seconds())}
	g.add(withValue(mk("clock", st, "clock", "observed", d), off, "tunduk_onboard_clock_offset_seconds", nil))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func (g *gatherer) disks(p probeOut) {
	for _, path := range g.th.DataPaths {
		kb, err := strconv.ParseUint(p.freeKB[path], 10, 64)
		id := "disk." + path
		if err != nil {
			// A path that does not exist (PostgreSQL on another host).
			g.add(mk(id, Unknown, "disk", "none", map[string]any{"Path": path}))
			continue
		}
		free := kb * 1024
		st := OK
		switch {
		case free < g.th.MinFreeBytes/2:
			st = Critical
		case free < g.th.MinFreeBytes:
			st = Warning
		}
		d := map[string]any{"Path": path, "Free": remote.SizeText(int64(free)), "Min": remote.SizeText(int64(g.th.MinFreeBytes))}
		g.add(withValue(mk(id, st, "disk", "observed", d), float64(free), "tunduk_onboard_disk_free_bytes", map[string]string{"path": path}))
	}
}

// archive: the message log archive's size, to be watched for growth
// (kept three years by the operator's agreement); no verdict of its own.
func (g *gatherer) archive(p probeOut) {
	if !p.archiveDir {
		g.add(mk("archive", Unknown, "archive", "none", map[string]any{"Path": g.th.ArchivePath}))
		return
	}
	kb, _ := strconv.ParseUint(p.archiveKB, 10, 64)
	b := kb * 1024
	d := map[string]any{"Path": g.th.ArchivePath, "Size": remote.SizeText(int64(b))}
	g.add(withValue(mk("archive", OK, "archive", "observed", d), float64(b), "tunduk_onboard_messagelog_archive_bytes", nil))
	if g.history != nil {
		free, err := strconv.ParseUint(p.archiveFreeKB, 10, 64)
		g.archiveGrowth(b, free*1024, err == nil)
	}
}

// archiveGrowth: the archive's growth a day since the oldest size the
// history holds (at least a day back), and the days the free space of
// its disk lasts at that rate: a warning below the profile's
// archive_runway_days. No verdict until a day of history is there.
func (g *gatherer) archiveGrowth(size, free uint64, freeKnown bool) {
	now := g.now()
	perDay, span, ok := growth(g.history.Hosts[g.name], now, size)
	d := map[string]any{"Path": g.th.ArchivePath}
	if !ok {
		g.add(mk("archive.growth", OK, "archive_growth", "first", d))
		return
	}
	d["Rate"], d["Span"] = remote.SizeText(int64(perDay)), shortDur(span)
	obs, st := "observed", OK
	switch {
	case perDay < 1:
		obs = "flat"
	case !freeKnown:
		obs = "no_free"
	default:
		left := float64(free) / perDay
		d["Free"], d["Days"] = remote.SizeText(int64(free)), int(min(left, ampleDays))
		switch {
		case left < float64(g.runwayDays()):
			st = Warning
		case left >= ampleDays:
			obs = "ample" // "about 3955917 days" is true and says nothing
		}
	}
	d["Want"] = g.runwayDays()
	// The rate has no metric: Prometheus computes it from
	// tunduk_onboard_messagelog_archive_bytes (deriv, predict_linear).
	f := mk("archive.growth", st, "archive_growth", obs, d)
	f.Value = &perDay
	g.add(f)
}

// ampleDays: free space that lasts longer than the three years message
// logs are kept is told as "more than three years".
const ampleDays = 3 * 366

// runwayDays is the profile's archive_runway_days (0: 30).
func (g *gatherer) runwayDays() int {
	if g.th.ArchiveRunwayDays > 0 {
		return g.th.ArchiveRunwayDays
	}
	return profile.DefaultHealth().ArchiveRunwayDays
}
