package remote

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// quickAckConn acknowledges every segment at once (TCP_QUICKACK, which
// Linux clears after use, so it is set again before each read).
//
// Why: sshd does not set TCP_NODELAY for sessions without a terminal, so
// its small replies wait (Nagle) for our ACK of what it sent before, and
// Linux delays that ACK by 40 ms. Measured here: the first session on a
// connection took 55 ms, of which 42 ms were this stall; a readiness
// check is one connection and one session, so this was a fifth of it.
type quickAckConn struct {
	*net.TCPConn
	raw syscall.RawConn
}

func withQuickAck(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	q := &quickAckConn{TCPConn: tc, raw: raw}
	q.quickAck()
	return q
}

func (q *quickAckConn) quickAck() {
	q.raw.Control(func(fd uintptr) {
		unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
	})
}

func (q *quickAckConn) Read(p []byte) (int, error) {
	n, err := q.TCPConn.Read(p)
	q.quickAck()
	return n, err
}
