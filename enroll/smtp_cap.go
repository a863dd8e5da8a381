package enroll

import (
	"errors"
	"net"
	"sync/atomic"
)

// maxSMTPRead bounds all a mail server may send in one conversation: its
// greeting, replies and TLS handshake are a few KiB (a reply line is at
// most 512 bytes, RFC 5321 4.5.3.1.5). net/smtp reads a reply line whole
// (net/textproto), so a server sending one endless line would grow memory
// until the deadline; past this bound the read fails instead.
const maxSMTPRead = 1 << 20

// errSMTPFlood is a server that sent more than maxSMTPRead.
var errSMTPFlood = errors.New("smtp: server sent more than the conversation allows")

// capConn is the connection to the mail server with its reads counted
// below any TLS, so the bound holds with and without encryption.
type capConn struct {
	net.Conn
	left    int64
	flooded atomic.Bool
}

func newCapConn(c net.Conn) *capConn { return &capConn{Conn: c, left: maxSMTPRead} }

func (c *capConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.flooded.Store(true)
		return 0, errSMTPFlood
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}
