package enroll

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestSendSMTPEndsAnEndlessReplyLine: a real TCP server on loopback that
// greets with "220 " and then one line that never ends. The send fails
// at once as a flood, in the user's words, and the program's memory does
// not follow the line. (The server stops at 256 MiB so that a broken cap
// cannot take the machine; the timeout is far above what the cap needs.)
func TestSendSMTPEndsAnEndlessReplyLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var sent atomic.Int64
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		c.Write([]byte("220 "))
		for sent.Load() < 256<<20 {
			n, err := c.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
		time.Sleep(30 * time.Second) // a stall after the flood: only the deadline would end it
	}()
	p := buildTest(t)
	s := SMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "org@example.kg",
		To: []string{"kuc@infocom.kg"}, Timeout: 20 * time.Second}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	err = SendSMTP(context.Background(), p, s)
	took := time.Since(start)
	runtime.ReadMemStats(&after)

	if errKey(err) != "enroll.err.smtp_flood" {
		t.Fatalf("an endless reply line: %v after %v, want enroll.err.smtp_flood", err, took)
	}
	if took > 10*time.Second {
		t.Errorf("the flood ended after %v", took)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("allocated %d MiB reading one reply line (the server sent %d MiB)", grew>>20, sent.Load()>>20)
	}
	t.Logf("ended after %v, %d KiB allocated, server wrote %d KiB", took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>10, sent.Load()>>10)
}
