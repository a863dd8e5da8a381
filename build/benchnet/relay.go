// Package benchnet is the network of `make bench`'s test hosts: a TCP
// relay that delays every byte (this kernel has no netem, so a link with
// a real network's round trip is made in user space) and sockets opened
// inside a test host's network namespace.
package benchnet

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Bounds of one direction of a relayed connection: reads of at most
// chunkSize bytes, at most queueLen of them waiting out their delay. A
// full queue stops the reads, so a fast sender is held back by TCP's own
// flow control instead of filling memory: at most (queueLen+2)*chunkSize
// bytes are held per direction (the queue, one chunk being read, one
// being written). 64 x 32 KiB carries 80 MB/s at 25 ms, far above what
// an SSH session of the bench moves.
const (
	chunkSize = 32 << 10
	queueLen  = 64
)

// Relay accepts connections and joins each to one that Dial makes,
// holding every chunk read in either direction for Delay before it is
// written on: a round trip through it costs 2*Delay more. Chunks leave
// in the order they came; an end of stream (half close) is passed on
// after the same delay.
type Relay struct {
	Delay time.Duration
	Dial  func() (net.Conn, error)

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Serve accepts on ln until it is closed (then returns nil) or fails.
func (r *Relay) Serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.join(c)
		}()
	}
}

// Close ends every relayed connection and waits for their goroutines;
// the caller closes the listeners.
func (r *Relay) Close() {
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// track remembers c for Close; false once Close has run.
func (r *Relay) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	if r.conns == nil {
		r.conns = map[net.Conn]struct{}{}
	}
	r.conns[c] = struct{}{}
	return true
}

func (r *Relay) untrack(cs ...net.Conn) {
	r.mu.Lock()
	for _, c := range cs {
		delete(r.conns, c)
	}
	r.mu.Unlock()
}

// join relays between the accepted a and a new connection to the
// target, both ways, until both directions have ended.
func (r *Relay) join(a net.Conn) {
	b, err := r.Dial()
	if err != nil {
		a.Close()
		return
	}
	if !r.track(a) || !r.track(b) {
		a.Close()
		b.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.oneWay(b, a) }()
	go func() { defer wg.Done(); r.oneWay(a, b) }()
	wg.Wait()
	a.Close()
	b.Close()
	r.untrack(a, b)
}

// chunk is what was read at one time; data nil is the end of the stream
// (err io.EOF: a half close to pass on; another error: an abort).
type chunk struct {
	data []byte
	due  time.Time
	err  error
}

var bufs = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// oneWay reads src and writes dst, each chunk Delay after it was read.
func (r *Relay) oneWay(dst, src net.Conn) {
	q := make(chan chunk, queueLen)
	go func() {
		defer close(q)
		for {
			bp := bufs.Get().(*[]byte)
			n, err := src.Read(*bp)
			due := time.Now().Add(r.Delay)
			if n > 0 {
				q <- chunk{data: (*bp)[:n], due: due}
			} else {
				bufs.Put(bp)
			}
			if err != nil {
				q <- chunk{due: due, err: err}
				return
			}
		}
	}()
	failed := false
	for c := range q {
		// Keep draining after a failure so the reader never blocks on a
		// full queue; what is left is dropped.
		if !failed {
			if d := time.Until(c.due); d > 0 {
				time.Sleep(d)
			}
			failed = r.deliver(dst, src, c)
		}
		if c.data != nil {
			b := c.data[:cap(c.data)]
			bufs.Put(&b)
		}
	}
}

// deliver writes one chunk (or passes the end on) and says whether the
// direction is over for good: then both connections are closed, which
// also ends the other direction's read.
func (r *Relay) deliver(dst, src net.Conn, c chunk) bool {
	if c.data != nil {
		if _, err := dst.Write(c.data); err == nil {
			return false
		}
	} else if errors.Is(c.err, io.EOF) {
		if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			return false
		}
	}
	dst.Close()
	src.Close()
	return true
}
