package main

// "call test" over SSH with https: the security server's internal TLS
// certificate, which the call pins, is read on the server itself
// (configure.ReadInternalCert: as the login, else through sudo with the
// password from standard input or the terminal, as the server verbs read
// the admin API's), so --server-cert is needed only without SSH.

import (
	"context"
	"errors"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

func (o *callOpts) internalCert(ctx context.Context, h remote.Host) ([]byte, error) {
	sudoPW := ""
	if o.sudoPasswordStdin {
		pw, err := stdinLine(o.in, "--sudo-password-stdin", secretSudo)
		if err != nil {
			return nil, cannot(o.lang, err)
		}
		sudoPW = pw
	}
	pemBytes, err := configure.ReadInternalCert(ctx, h, o.serverCertPath, sudoPW)
	var ce *configure.Error
	if errors.As(err, &ce) && ce.Key == configure.KeyInternalSudoPassword && !o.sudoPasswordStdin {
		// sudo wants a password none was given for: asked on the
		// terminal once, as the server verbs do.
		targets, _ := o.ssh.allTargets()
		if pw, perr := promptTTY(i18n.T(o.lang, "cli.install.sudo_prompt", map[string]any{"Host": targets[0].String()})); perr == nil && pw != "" {
			pemBytes, err = configure.ReadInternalCert(ctx, h, o.serverCertPath, pw)
		}
	}
	if err != nil {
		key, data := configure.Explain(err)
		return nil, cannot(o.lang, err).saying(told(o.lang, key, data))
	}
	return pemBytes, nil
}
