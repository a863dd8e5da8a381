package benchnet

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
)

// relayTo starts a relay on loopback in front of target, with delay.
func relayTo(t *testing.T, target string, delay time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &Relay{Delay: delay, Dial: Dialer("", target, 5*time.Second)}
	done := make(chan struct{})
	go func() { r.Serve(ln); close(done) }()
	t.Cleanup(func() { ln.Close(); <-done; r.Close() })
	return ln.Addr().String()
}

// echoServer answers every byte back and passes a half close on.
func echoServer(t *testing.T) string {
	return testhost.ServeTCP(t, "127.0.0.1:0", func(c net.Conn) {
		defer c.Close()
		io.Copy(c, c)
		c.(*net.TCPConn).CloseWrite()
	})
}

// TestRelayCarriesBothWaysInOrder: 4 MiB in writes of uneven sizes come
// back through the relay byte for byte, and the client's half close
// reaches the server and the server's comes back (the read ends).
func TestRelayCarriesBothWaysInOrder(t *testing.T) {
	addr := relayTo(t, echoServer(t), time.Millisecond)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := make([]byte, 4<<20)
	for i := range want {
		want[i] = byte(i*7 + i/251)
	}
	go func() {
		for off, n := 0, 1; off < len(want); n = n*3%70001 + 1 {
			end := min(off+n, len(want))
			if _, err := c.Write(want[off:end]); err != nil {
				return
			}
			off = end
		}
		c.(*net.TCPConn).CloseWrite()
	}()
	c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("after %d bytes: %v", len(got), err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("got %d bytes, want %d; first difference at %d", len(got), len(want), i)
	}
}

// TestRelayDelaysEachWay: each round trip of one byte through a relay of
// 30 ms takes at least 60 ms (a lower bound: a loaded machine only adds).
func TestRelayDelaysEachWay(t *testing.T) {
	const delay = 30 * time.Millisecond
	addr := relayTo(t, echoServer(t), delay)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	b := []byte{0}
	for i := range 3 {
		start := time.Now()
		b[0] = byte(i)
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, b); err != nil || b[0] != byte(i) {
			t.Fatalf("round %d: %v %v", i, b, err)
		}
		if took := time.Since(start); took < 2*delay {
			t.Errorf("round trip %d took %v, less than 2 x %v", i, took, delay)
		}
	}
}

// TestRelayBoundsWhatItHolds: a receiver that never reads holds the
// sender back once the relay's queue is full; the relay takes no more
// than its bound however long the sender tries.
func TestRelayBoundsWhatItHolds(t *testing.T) {
	src, a := net.Pipe() // net.Pipe has no buffer: a write waits for a read
	b, sink := net.Pipe()
	r := &Relay{Dial: func() (net.Conn, error) { return b, nil }}
	done := make(chan struct{})
	go func() { r.join(a); close(done) }()
	src.SetWriteDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 64<<10)
	sent := 0
	for sent < 64<<20 {
		n, err := src.Write(buf)
		sent += n
		if err != nil {
			break
		}
	}
	const bound = (queueLen + 2) * chunkSize
	if sent > bound || sent == 0 {
		t.Errorf("the relay took %d bytes from a sender whose receiver never reads; bound %d", sent, bound)
	}
	src.Close()
	sink.Close()
	<-done
}
