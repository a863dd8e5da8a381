package health

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Path tests the network path from h alone, before X-Road is installed:
// the anchor's central servers and the profile's addresses, each with a
// bounded TCP connect in one exec (the readiness check's --anchor). The
// findings are those Gather gives for the same addresses.
func Path(ctx context.Context, h remote.Host, anchor []byte, th profile.Health) []Finding {
	addrs := dedupe(append(AnchorEndpoints(anchor), ProfileEndpoints(th)...))
	if len(addrs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(len(addrs)*th.ProbeSeconds)*time.Second+20*time.Second)
	defer cancel()
	out, _, err := h.Run(ctx, "LC_ALL=C; export LC_ALL\necho '#tcp'\n"+tcpLines(th, addrs)+"echo '#end'\n", nil)
	p := parseProbe(out)
	if err != nil && !p.complete {
		var ee *remote.ExitError
		if !errors.As(err, &ee) {
			return []Finding{unknown("path", "ssh", err)}
		}
	}
	return pathFindings(addrs, p.tcp)
}

// tcpLines are the probe's connects: bash's /dev/tcp under timeout: 0
// open, 124 no answer in time, else refused or unresolved; no bash or
// timeout: 127. Hosts and ports passed ValidEndpoint and are quoted.
func tcpLines(th profile.Health, addrs []Endpoint) string {
	var b strings.Builder
	for _, a := range addrs {
		fmt.Fprintf(&b, "timeout %d bash -c 'exec 3<>/dev/tcp/$0/$1' %s %s >/dev/null 2>&1; printf '%%s %%s\\n' %s \"$?\"\n",
			th.ProbeSeconds, remote.Quote(a.Host), remote.Quote(a.Port), remote.Quote(a.Addr()))
	}
	return b.String()
}
