package checks

import "strings"

// maxLines bounds how many lines any parser looks at, so that hostile or
// broken input cannot make a collector spend unbounded time or memory.
const maxLines = 20000

// splitLines splits text into at most maxLines lines, dropping a trailing
// carriage return from each.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 && len(out) < maxLines {
		i := strings.IndexByte(s, '\n')
		var line string
		if i < 0 {
			line, s = s, ""
		} else {
			line, s = s[:i], s[i+1:]
		}
		out = append(out, strings.TrimSuffix(line, "\r"))
	}
	return out
}

// ParseOSRelease reads the os-release(5) format: KEY=value lines, values
// optionally quoted with " or ', comments and blank lines ignored.
func ParseOSRelease(data string) OSRelease {
	var r OSRelease
	for _, line := range splitLines(data) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		v = unquoteShell(strings.TrimSpace(v))
		switch strings.TrimSpace(k) {
		case "ID":
			r.ID = v
		case "VERSION_ID":
			r.VersionID = v
		case "PRETTY_NAME":
			r.PrettyName = v
		}
	}
	return r
}

// unquoteShell removes one level of shell-style quotes and backslash
// escapes, as os-release allows.
func unquoteShell(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		q := v[0]
		v = v[1 : len(v)-1]
		if q == '\'' {
			return v
		}
		var b strings.Builder
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' && i+1 < len(v) {
				i++
			}
			b.WriteByte(v[i])
		}
		return b.String()
	}
	return v
}
