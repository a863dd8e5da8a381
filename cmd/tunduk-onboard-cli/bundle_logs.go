package main

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/health/bundle"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// serviceLogs adds to in the tails of X-Road's logs of the server named
// by --ssh (one) or --local, all within --timeout, and the passwords read
// to its secrets, so that a log that echoes one has it taken out.
// Secrets on standard input: the SSH password, then the sudo password.
func (o *bundleOpts) serviceLogs(in *bundle.Input, stdin io.Reader, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	var h remote.Host = &remote.Local{}
	if !o.local {
		targets, err := o.ssh.allTargets()
		switch {
		case err != nil:
			return err
		case len(targets) == 0:
			return nil // no server named: no X-Road logs
		case len(targets) > 1:
			return errKey("cli.bundle.err_one_server", nil)
		}
		r := bufio.NewReaderSize(stdin, 4096)
		if err := o.ssh.readSecrets(r); err != nil {
			return err
		}
		stdin = r
		cfg, err := o.ssh.config(targets[0], stderr)
		if err != nil {
			return err
		}
		c, err := remote.Dial(ctx, cfg)
		if err != nil {
			return errors.New(explain(err, o.lang))
		}
		defer c.Close()
		h = c
	}
	sudo := ""
	if o.sudoPasswordStdin {
		var err error
		if sudo, err = stdinLine(bufio.NewReaderSize(stdin, 4096), "--sudo-password-stdin", secretSudo); err != nil {
			return err
		}
	}
	in.Secrets = append(in.Secrets, o.ssh.password)
	p, err := loadProfile(o.profile)
	if err != nil {
		return err
	}
	err = bundle.AddServiceLogs(ctx, h, health.LogOptions{Units: p.Install.Units, Lines: o.logLines, SudoPassword: sudo}, in)
	var re *remote.SudoRefusedError
	switch {
	case errors.As(err, &re):
		return errKey("configure.err.sudo_refused", map[string]any{"Said": i18n.Line(re.Said, 200)})
	case err != nil:
		return errors.New(explain(err, o.lang))
	}
	return nil
}
