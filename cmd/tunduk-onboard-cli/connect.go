package main

// `connect --plan FILE`: the whole connection of the information systems
// from one plan file (xroad/connect): read against the server, printed
// (--dry-run stops there), and only what is to do done. A second run
// changes nothing; a run cut anywhere finishes when run again.

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"path/filepath"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

func connectVerb() apiVerb {
	var planFile string
	var dryRun, ignore bool
	var d connect.Desired
	return apiVerb{name: "connect", changes: true, flags: func(fs *flag.FlagSet) {
		fs.StringVar(&planFile, "plan", "", "the connect plan `FILE` (JSON: subsystems, services, access rights)")
		fs.BoolVar(&dryRun, "dry-run", false, "print what would be done, change nothing")
		fs.BoolVar(&ignore, "ignore-warnings", false, "go on where the server only warns (a member not yet in global configuration, a parser's warnings)")
	}, before: func(o *serverOpts) error {
		var err error
		d, err = readPlan(planFile)
		if err != nil {
			return err
		}
		return connect.Check(o.prof, d)
	}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
		p := o.connectParams()
		pl, err := connect.Read(ctx, api, p, d)
		if err != nil {
			return err
		}
		items := []map[string]string{}
		defer func() { out.set("items", items) }()
		out.set("dry_run", dryRun)
		if dryRun {
			for _, it := range pl.Items {
				items = append(items, itemJSON(it))
				itemLine(out, it)
			}
			out.line("cli.connect.summary", map[string]any{"Todo": pl.Count(connect.StateTodo), "Skip": pl.Count(connect.StateSkip)})
			return nil
		}
		for _, it := range pl.Items {
			if it.State != connect.StateTodo {
				itemLine(out, it)
			}
		}
		if pl.Count(connect.StateTodo) > 0 {
			if err := o.beforeChange(ctx, api, out); err != nil {
				return err
			}
		}
		r := &connect.Runner{API: api, Host: o.h, IgnoreWarnings: ignore}
		err = r.Apply(ctx, pl, func(it connect.Item) { itemLine(out, it) })
		for _, it := range pl.Items {
			items = append(items, itemJSON(it))
		}
		if err != nil {
			return err
		}
		out.line("cli.connect.done", map[string]any{"Done": pl.Count(connect.StateDone), "Skip": pl.Count(connect.StateSkip)})
		if w := pl.Waiting(); len(w) > 0 {
			out.set("waiting", w)
			for _, s := range w {
				out.line("cli.client.wait_hint", map[string]any{"Code": s})
			}
		}
		return nil
	}}
}

// readPlan reads a plan file and the files it names, relative to it.
func readPlan(path string) (connect.Desired, error) {
	var d connect.Desired
	if path == "" {
		return d, errKey("cli.connect.plan_needed", nil)
	}
	b, err := readcap.ReadFile(path, readcap.ConnectPlan)
	if err != nil {
		return d, &fileErr{op: "read", path: path, err: err}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, errKey("cli.connect.plan_bad", map[string]any{"File": path, "Error": err.Error()})
	}
	dir := filepath.Dir(path)
	rel := func(f string) string {
		if filepath.IsAbs(f) {
			return f
		}
		return filepath.Join(dir, f)
	}
	for i := range d.Subsystems {
		w := &d.Subsystems[i]
		for _, f := range w.TLSCertFiles {
			c, err := readcap.ReadFile(rel(f), readcap.Certificate)
			if err != nil {
				return d, &fileErr{op: "read", path: rel(f), err: err}
			}
			w.TLSCerts = append(w.TLSCerts, derOf(c))
		}
		for j := range w.Services {
			s := &w.Services[j]
			if s.File == "" {
				continue
			}
			if s.Data, err = readcap.ReadFile(rel(s.File), readcap.OpenAPI); err != nil {
				return d, &fileErr{op: "read", path: rel(s.File), err: err}
			}
		}
	}
	return d, nil
}

func runConnect(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return connectVerb().main(args, stdin, stdout, stderr)
}
