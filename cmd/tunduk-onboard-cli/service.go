package main

// `service`: the services of a subsystem (xroad/connect): add a REST base
// URL, an OpenAPI 3 description (URL, or a file served to the server for
// the call) or a WSDL, list them, refresh one, find subjects, and grant
// or revoke access.

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

func serviceVerbs() map[string]apiVerb {
	var code, typ, u, file, svcCode, search string
	var ignore bool
	var subjects multiFlag
	var want connect.WantService
	codeFlag := func(fs *flag.FlagSet) {
		fs.StringVar(&code, "code", "", "the subsystem `CODE` (Latin letters, digits, - and _)")
	}
	serviceFlag := func(fs *flag.FlagSet) {
		codeFlag(fs)
		fs.StringVar(&svcCode, "service", "", "the service `CODE` as service list shows it (getPerson.v1 for a WSDL operation)")
	}
	needCode := func(o *serverOpts) error { return o.needSubsystem(code) }
	needService := func(o *serverOpts) error {
		if err := needCode(o); err != nil {
			return err
		}
		if svcCode == "" {
			return errKey("cli.service.service_needed", nil)
		}
		return nil
	}
	access := func(grant bool) func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
		return func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			changed := []string{}
			r := o.runner(api, out, false)
			for _, s := range subjects {
				var did bool
				var err error
				if grant {
					did, err = r.Grant(ctx, o.connectParams(), code, svcCode, s)
				} else {
					did, err = r.Revoke(ctx, o.connectParams(), code, svcCode, s)
				}
				if err != nil {
					return err
				}
				key := map[bool]string{true: "cli.service.granted", false: "cli.service.revoked"}[grant]
				if !did {
					key += "_already"
				} else {
					changed = append(changed, s)
				}
				out.line(key, map[string]any{"Service": svcCode, "Subject": s})
			}
			out.set("changed", changed)
			return nil
		}
	}
	subjectFlags := func(fs *flag.FlagSet) {
		serviceFlag(fs)
		fs.Var(&subjects, "subject", "`SUBJECT`: another member's subsystem CLASS:CODE:SUBSYSTEM, or a local group group:CODE (repeatable)")
	}
	needSubjects := func(o *serverOpts) error {
		if err := needService(o); err != nil {
			return err
		}
		if len(subjects) == 0 {
			return errKey("cli.service.subject_needed", nil)
		}
		return nil
	}
	return map[string]apiVerb{
		"add": {name: "service add", changes: true, flags: func(fs *flag.FlagSet) {
			codeFlag(fs)
			fs.StringVar(&typ, "type", "", "the description's `TYPE`: REST, OPENAPI3 or WSDL")
			fs.StringVar(&u, "url", "", "`URL` of the REST base, the OpenAPI 3 description or the WSDL, as the security server reaches it")
			fs.StringVar(&file, "file", "", "an OpenAPI 3 description `FILE`, served to the security server for the call (instead of --url)")
			fs.StringVar(&svcCode, "service-code", "", "the service `CODE` (REST and OPENAPI3)")
			fs.BoolVar(&ignore, "ignore-warnings", false, "add the description even when the server's parser warns about it")
		}, before: func(o *serverOpts) error {
			want = connect.WantService{Type: strings.ToUpper(typ), URL: u, File: file, Code: svcCode}
			if file != "" {
				b, err := readcap.ReadFile(file, readcap.OpenAPI)
				if err != nil {
					return &fileErr{op: "read", path: file, err: err}
				}
				want.Data = b
			}
			return checkWant(o.prof, code, want)
		}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			added, err := o.runner(api, out, ignore).AddService(ctx, o.connectParams(), code, want)
			if err != nil {
				return err
			}
			out.set("added", added)
			key := "cli.service.added"
			if !added {
				key = "cli.service.exists"
			}
			out.line(key, map[string]any{"Code": code, "Service": svcCode + u + file})
			return nil
		}},
		"list": {name: "service list", flags: codeFlag, before: needCode, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			inv, err := connect.Inventory(ctx, api)
			if err != nil {
				return err
			}
			services := []connect.Service{}
			for _, s := range inv {
				if s.Code != code || s.MemberClass != o.memberClass || s.MemberCode != o.memberCode {
					continue
				}
				services = append(services, s.Services...)
				for _, v := range s.Services {
					out.line("cli.service.line", map[string]any{"Service": v.Code, "Type": v.Type, "URL": v.URL, "Endpoints": len(v.Endpoints)})
					for _, e := range v.Endpoints {
						out.line("cli.service.endpoint", map[string]any{"Method": e.Method, "Path": e.Path})
					}
				}
			}
			if len(services) == 0 {
				out.line("cli.service.none", map[string]any{"Code": code})
			}
			out.set("services", services)
			return nil
		}},
		"grant":  {name: "service grant", changes: true, flags: subjectFlags, before: needSubjects, run: access(true)},
		"revoke": {name: "service revoke", changes: true, flags: subjectFlags, before: needSubjects, run: access(false)},
		"refresh": {name: "service refresh", changes: true, flags: func(fs *flag.FlagSet) {
			serviceFlag(fs)
			fs.BoolVar(&ignore, "ignore-warnings", false, "refresh even when services come or go")
		}, before: needService, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			sd, err := o.runner(api, out, ignore).Refresh(ctx, o.connectParams(), code, svcCode)
			if err != nil {
				return err
			}
			out.set("refreshed_at", sd.RefreshedAt)
			out.line("cli.service.refreshed", map[string]any{"URL": sd.URL, "Services": len(sd.Services)})
			return nil
		}},
		"subjects": {name: "service subjects", flags: func(fs *flag.FlagSet) {
			codeFlag(fs)
			fs.StringVar(&search, "search", "", "find members' subsystems and local groups whose name or code holds `TEXT`")
		}, before: needCode, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			p := o.connectParams()
			list, err := api.ServiceClientCandidates(ctx, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code), search)
			if err != nil {
				return err
			}
			for _, sc := range list {
				id := sc.ID
				if sc.Type == xroad.SubjectLocalGroup {
					id = "group:" + sc.LocalGroupCode
				} else if rest, ok := strings.CutPrefix(id, p.Instance+":"); ok {
					id = rest
				}
				out.line("cli.service.subject", map[string]any{"Subject": id, "Name": sc.Name})
			}
			out.set("subjects", list)
			return nil
		}},
	}
}

// checkWant validates one service with the plan's rules.
func checkWant(prof *profile.Profile, code string, s connect.WantService) error {
	return connect.Check(prof, connect.Desired{Subsystems: []connect.Want{{Code: code, Services: []connect.WantService{s}}}})
}

var runService = runGroup("service", serviceVerbs, serviceUsage)

func serviceUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli service add|list|grant|revoke|refresh|subjects --ssh USER@HOST[:PORT] | --local [FLAGS]\n"+
		"       tunduk-onboard-cli service export --inventory FILE --format csv|json --out FILE", "cli.help.service")
}
