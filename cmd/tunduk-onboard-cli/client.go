package main

// `client`: the organisation's subsystems on its security server
// (xroad/connect): add, register (and wait for the operator's approval),
// status, the connection type of the information system, and the TLS
// certificates between the two.

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// clientVerbs are the client verbs, each with fresh flag variables.
func clientVerbs() map[string]apiVerb {
	var code, conn, outFile string
	var ignore, wait bool
	var waitTimeout, poll time.Duration
	codeFlag := func(fs *flag.FlagSet) {
		fs.StringVar(&code, "code", "", "the subsystem `CODE` (Latin letters, digits, - and _)")
	}
	needCode := func(o *serverOpts) error { return o.needSubsystem(code) }
	return map[string]apiVerb{
		"add": {name: "client add", changes: true, flags: func(fs *flag.FlagSet) {
			codeFlag(fs)
			fs.StringVar(&conn, "connection", xroad.ConnHTTPS, "how the information system connects: `TYPE` HTTP, HTTPS (recommended) or HTTPS_NO_AUTH")
			fs.BoolVar(&ignore, "ignore-warnings", false, "add the subsystem even when global configuration does not list the member yet")
		}, before: func(o *serverOpts) error {
			if err := needCode(o); err != nil {
				return err
			}
			return needConn(conn)
		}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			p := o.connectParams()
			there, err := hasClient(ctx, api, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code))
			if err != nil {
				return err
			}
			var c xroad.ClientInfo
			if !there {
				// Asked first: a subsystem there already takes no backup.
				if err := o.firstChange(ctx, api, out); err != nil {
					return err
				}
				c, err = api.AddClient(ctx, o.memberClass, o.memberCode, code, strings.ToUpper(conn), ignore)
			}
			var ae *xroad.Error
			if there || errors.As(err, &ae) && ae.HasCode(xroad.CodeClientExists) {
				out.line("cli.client.exists", map[string]any{"Code": code})
				out.set("added", false)
				return nil
			}
			if err != nil {
				return err
			}
			out.set("added", true)
			out.set("client", c)
			out.line("cli.client.added", map[string]any{"Code": code, "ID": c.ID})
			out.line(connect.ConnectionKeys[c.ConnectionType], nil)
			return nil
		}},
		"register": {name: "client register", changes: true, flags: func(fs *flag.FlagSet) {
			codeFlag(fs)
			fs.BoolVar(&wait, "wait", false, "wait until the operator approves the registration")
			fs.DurationVar(&waitTimeout, "wait-timeout", 24*time.Hour, "give up waiting for approval after `DURATION`")
			fs.DurationVar(&poll, "poll", 30*time.Second, "ask for the registration state every `DURATION`")
		}, before: needCode, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			p := o.connectParams()
			st, err := connect.Status(ctx, api, p, code)
			if err != nil {
				return err
			}
			if st == "" {
				return errKey("cli.client.absent", map[string]any{"Code": code})
			}
			if st == xroad.ClientSaved {
				if err := o.firstChange(ctx, api, out); err != nil {
					return err
				}
				if err := api.RegisterClient(ctx, xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code)); err != nil {
					return err
				}
				st = xroad.ClientRegistrationInProgress
				out.line("cli.client.register_sent", map[string]any{"Code": code})
			}
			if wait && st != xroad.ClientRegistered {
				wctx, cancel := context.WithTimeout(ctx, waitTimeout)
				defer cancel()
				err = connect.WaitRegistered(wctx, api, p, code, poll, func(s string) { st = s })
			}
			out.set("status", st)
			out.line("cli.client.status_line", map[string]any{"Code": code, "Status": i18n.Enum(o.lang, "xroad.cert_status.", st), "Services": "-"})
			if err == nil && st != xroad.ClientRegistered {
				out.line("cli.client.wait_hint", map[string]any{"Code": code})
			}
			return err
		}},
		"status": {name: "client status", run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			inv, err := connect.Inventory(ctx, api)
			if err != nil {
				return err
			}
			list := []map[string]any{}
			for _, s := range inv {
				if s.MemberClass != o.memberClass || s.MemberCode != o.memberCode {
					continue
				}
				list = append(list, map[string]any{"code": s.Code, "id": s.ID(), "status": s.Status, "services": len(s.Services)})
				out.line("cli.client.status_line", map[string]any{"Code": s.Code, "Status": i18n.Enum(o.lang, "xroad.cert_status.", s.Status), "Services": len(s.Services)})
			}
			if len(list) == 0 {
				out.line("cli.client.none", nil)
			}
			out.set("subsystems", list)
			return nil
		}},
		"connection": {name: "client connection", changes: true, flags: func(fs *flag.FlagSet) {
			codeFlag(fs)
			fs.StringVar(&conn, "type", "", "set the connection `TYPE`: HTTP, HTTPS (recommended) or HTTPS_NO_AUTH; without it the types are explained")
		}, before: func(o *serverOpts) error {
			if err := needCode(o); err != nil || conn == "" {
				return err
			}
			return needConn(conn)
		}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			p := o.connectParams()
			id := xroad.ClientID(p.Instance, p.MemberClass, p.MemberCode, code)
			c, err := api.GetClient(ctx, id)
			if err != nil {
				return err
			}
			if conn != "" && !strings.EqualFold(conn, c.ConnectionType) {
				if err := o.firstChange(ctx, api, out); err != nil {
					return err
				}
				if c, err = api.SetConnectionType(ctx, id, strings.ToUpper(conn)); err != nil {
					return err
				}
			}
			out.set("connection_type", c.ConnectionType)
			out.line("cli.client.connection", map[string]any{"Code": code, "Type": c.ConnectionType})
			for _, t := range []string{xroad.ConnHTTPS, xroad.ConnHTTPSNoAuth, xroad.ConnHTTP} {
				if conn == "" || t == c.ConnectionType {
					out.line(connect.ConnectionKeys[t], nil)
				}
			}
			return nil
		}},
		"tls import": tlsImportVerb(&code, codeFlag, needCode),
		"tls export": {name: "client tls export", flags: func(fs *flag.FlagSet) {
			fs.StringVar(&outFile, "out", "security-server-tls.pem", "write the security server's internal TLS certificate (PEM) to `FILE`, for the information system to trust")
		}, run: func(ctx context.Context, o *serverOpts, api *xroad.Client, out *serverOut) error {
			tgz, err := api.ExportInternalTLS(ctx)
			if err != nil {
				return err
			}
			pemBytes, err := certFromExport(tgz)
			if err != nil {
				return err
			}
			if err := writeFileAtomic(outFile, pemBytes, 0o644); err != nil {
				return err
			}
			out.set("file", outFile)
			out.line("cli.client.tls_exported", map[string]any{"File": outFile})
			return nil
		}},
	}
}

// hasClient says whether the server has the subsystem id (its GET is
// not 404).
func hasClient(ctx context.Context, api *xroad.Client, id string) (bool, error) {
	_, err := api.GetClient(ctx, id)
	var ae *xroad.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return false, nil
	}
	return err == nil, err
}

// needConn checks a connection type.
func needConn(t string) error {
	if _, ok := connect.ConnectionKeys[strings.ToUpper(t)]; !ok {
		return errKey("connect.err.connection_type", map[string]any{"Got": i18n.Line(t, 100)})
	}
	return nil
}

// certFromExport is the internal TLS certificate of the server's export.
func certFromExport(tgz []byte) ([]byte, error) {
	b, err := connect.InternalCert(tgz)
	if err != nil {
		return nil, errKey("cli.client.export_bad", nil)
	}
	return b, nil
}

var runClient = runGroup("client", clientVerbs, clientUsage)

func clientUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli client add|register|status|connection|tls import|tls export --ssh USER@HOST[:PORT] | --local [FLAGS]\n"+
		"       tunduk-onboard-cli client notify --subsystem CODE=NAME ... --via email|smtp|https|folder [FLAGS]", "cli.help.client")
}
