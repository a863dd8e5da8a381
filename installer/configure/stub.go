package configure

import (
	"context"
	"errors"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ssh"
	"github.com/tunduk-onboard/tunduk-onboard/installer/xroadapi"
)

// Temporary bodies: the API compiles so the GUI can code against it.
var errNotYet = errors.New("configure: not implemented yet")

func open(context.Context, *ssh.Client, installer.AdminAPI, Credentials) (*Session, error) {
	return nil, errNotYet
}
func (s *Session) close(context.Context) error                    { return errNotYet }
func (s *Session) status(context.Context, Params) (Status, error) { return Status{}, errNotYet }
func readAnchor([]byte) (AnchorInfo, error)                       { return AnchorInfo{}, errNotYet }
func (s *Session) previewAnchor(context.Context, Params, []byte) (AnchorInfo, error) {
	return AnchorInfo{}, errNotYet
}
func (s *Session) initialize(context.Context, Params, []byte, string, func(Step)) error {
	return errNotYet
}
func (s *Session) makeCSRs(context.Context, Params, CSROptions, func(Step)) (CSRs, error) {
	return CSRs{}, errNotYet
}
func (s *Session) importCert(context.Context, []byte, [][]byte) (Imported, error) {
	return Imported{}, errNotYet
}
func (s *Session) register(context.Context, string, string) error { return errNotYet }
func (s *Session) waitRegistered(context.Context, string, time.Duration, func(xroadapi.TokenCertificate)) error {
	return errNotYet
}
func (s *Session) activate(context.Context, string) error { return errNotYet }
func explain(err error) (string, map[string]any)          { return "configure.err.unknown", nil }
