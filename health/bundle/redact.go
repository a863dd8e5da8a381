package bundle

import (
	"bytes"
	"regexp"
	"sort"
)

// A rule finds one kind of secret; group is the submatch that is the
// secret itself (0: the whole match), so what names it ("password=",
// "Authorization:") stays readable.
type rule struct {
	kind  string
	re    *regexp.Regexp
	group int
}

// rules are the secrets a support bundle must not carry whatever the
// caller knows: private keys, passwords and PINs in key=value and JSON,
// HTTP authorisation, X-Road API keys, Telegram bot tokens. Order
// matters: a private key goes whole before its lines are looked at.
var rules = []rule{
	// A PEM private key, or its start when a tail cut its end off.
	{"pem_private_key", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)`), 0},
	// X-Road's admin API key header (X-Road-ApiKey token=<key>).
	{"xroad_api_key", regexp.MustCompile(`(?i)X-Road-ApiKey\s+token=([^\s"',;]+)`), 1},
	// An Authorization header or field: the rest of its line.
	{"authorization", regexp.MustCompile(`(?i)\bauthorization"?\s*[:=]\s*"?([^\r\n"]+)`), 1},
	// A Telegram bot token, alone or in a Bot API URL (".../bot<token>/").
	{"telegram_token", regexp.MustCompile(`(?:^|[^0-9])([0-9]{6,12}:[A-Za-z0-9_-]{30,})`), 1},
	// password=..., "password": "...", pin: ..., secret=..., and the like.
	{"password", regexp.MustCompile(`(?i)\b(?:password|passwd|passphrase|pass|pin|so_pin|user_pin|secret|api_key|apikey)"?\s*[=:]\s*("[^"\r\n]*"|'[^'\r\n]*'|[^\s,;&"']+)`), 1},
}

var (
	pemBegin = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----`)
	pemEnd   = regexp.MustCompile(`-----END [A-Z0-9 ]*PRIVATE KEY-----`)
)

// Redaction is one secret taken out of a file: where and of what kind,
// never the secret.
type Redaction struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Kind string `json:"kind"`
}

// minKnown is the shortest secret searched for literally: a shorter one
// would blank out ordinary text (a 3-digit PIN matches every "123").
const minKnown = 4

// redact returns data with every known secret and every rule's match
// replaced by a mark "[REDACTED:kind]", and where each was.
func redact(name string, data []byte, known []string) ([]byte, []Redaction) {
	type hit struct {
		start, end int
		kind       string
	}
	var hits []hit
	// Longer secrets first, so one inside another is not half taken.
	ks := append([]string(nil), known...)
	sort.Slice(ks, func(i, j int) bool { return len(ks[i]) > len(ks[j]) })
	for _, k := range ks {
		if len(k) < minKnown {
			continue
		}
		for off := 0; ; {
			i := bytes.Index(data[off:], []byte(k))
			if i < 0 {
				break
			}
			hits = append(hits, hit{off + i, off + i + len(k), "known_secret"})
			off += i + len(k)
		}
	}
	// A tail that starts inside a private key holds its end, not its
	// beginning: everything up to that end goes.
	if end := pemEnd.FindIndex(data); end != nil {
		if begin := pemBegin.FindIndex(data); begin == nil || begin[0] > end[0] {
			hits = append(hits, hit{0, end[1], "pem_private_key"})
		}
	}
	for _, r := range rules {
		for _, m := range r.re.FindAllSubmatchIndex(data, -1) {
			s, e := m[2*r.group], m[2*r.group+1]
			if s >= 0 && e > s {
				hits = append(hits, hit{s, e, r.kind})
			}
		}
	}
	if len(hits) == 0 {
		return data, nil
	}
	// Overlapping hits merge into the first (a known PIN inside a
	// "pin=" value is one redaction).
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].start < hits[j].start })
	var out bytes.Buffer
	var red []Redaction
	pos, line := 0, 1
	for _, h := range hits {
		if h.start < pos {
			if h.end > pos {
				// extend the last mark over it
				line += bytes.Count(data[pos:h.end], []byte("\n"))
				pos = h.end
			}
			continue
		}
		line += bytes.Count(data[pos:h.start], []byte("\n"))
		out.Write(data[pos:h.start])
		out.WriteString("[REDACTED:" + h.kind + "]")
		red = append(red, Redaction{File: name, Line: line, Kind: h.kind})
		line += bytes.Count(data[h.start:h.end], []byte("\n"))
		pos = h.end
	}
	out.Write(data[pos:])
	return out.Bytes(), red
}
