//go:build !unix

package remote

import (
	"context"
	"io"
)

// Run: commands on this computer need a Unix system (the security server
// runs on Ubuntu); elsewhere it returns ErrLocalUnsupported.
func (l *Local) Run(ctx context.Context, cmd string, stdin io.Reader) ([]byte, []byte, error) {
	return nil, nil, ErrLocalUnsupported
}

// Start returns ErrLocalUnsupported, as Run does.
func (l *Local) Start(cmd string) (*Proc, error) { return nil, ErrLocalUnsupported }
