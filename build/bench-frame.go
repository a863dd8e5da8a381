//go:build ignore

// bench-frame starts a GUI program on an X display and reports, on one
// line, how long it took until the program's first frame was on screen
// and its resident memory once it had gone idle (build/bench-start.sh
// runs it for the wizard and for a hello-world Fyne window):
//
//	go build -o frame build/bench-frame.go
//	DISPLAY=:99 frame [-idle 1.5s] [-min 2s] [-ready CMD] [-timeout 60s] -- PROGRAM ARGS...
//	frame_ms=1234 rss_kb=150000 hwm_kb=160000 idle_after_ms=4321
//
// The first frame is the first moment the screen (a blank Xvfb root, one
// colour: start Xvfb with -br) holds many colours: text and icons are
// drawn, not just a window background. Nothing is polled before a window
// is mapped (the X server tells us), so the watcher takes no CPU from the
// program while it starts. Idle: the program used under 5% of one CPU
// over the last -idle period, at least -min has passed since the first
// frame (background work started by the first screen runs), and the
// -ready command, when given, succeeds. Then VmRSS and VmHWM are read
// from /proc and the program is stopped.
package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <sys/select.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// colours counts distinct pixel values in a grid of every step-th pixel
// of the root window, up to limit (a few is blank, many is drawn).
static int colours(Display *d, int w, int h, int step, int limit) {
	XImage *img = XGetImage(d, DefaultRootWindow(d), 0, 0, w, h, AllPlanes, ZPixmap);
	if (!img) return -1;
	unsigned long seen[256];
	int n = 0;
	for (int y = 0; y < h && n < limit; y += step) {
		for (int x = 0; x < w && n < limit; x += step) {
			unsigned long p = XGetPixel(img, x, y);
			int known = 0;
			for (int i = 0; i < n; i++) {
				if (seen[i] == p) { known = 1; break; }
			}
			if (!known) seen[n++] = p;
		}
	}
	XDestroyImage(img);
	return n;
}

// waitMap blocks until any window is mapped on the screen, or timeout_ms.
// It reports 1 when one was.
static int waitMap(Display *d, int timeout_ms) {
	XEvent ev;
	int fd = ConnectionNumber(d);
	for (int waited = 0; waited < timeout_ms; ) {
		while (XPending(d)) {
			XNextEvent(d, &ev);
			if (ev.type == MapNotify) return 1;
		}
		fd_set set;
		FD_ZERO(&set);
		FD_SET(fd, &set);
		struct timeval tv = {0, 50000};
		select(fd + 1, &set, NULL, NULL, &tv);
		waited += 50;
	}
	return 0;
}

static void watchRoot(Display *d) {
	XSelectInput(d, DefaultRootWindow(d), SubstructureNotifyMask);
	XSync(d, False);
}
*/
import "C"

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// drawn is how many distinct colours make a screen count as drawn: a
// window background alone is one or two.
const drawn = 12

func main() {
	idle := flag.Duration("idle", 1500*time.Millisecond, "idle when under 5% CPU for this long")
	minWait := flag.Duration("min", 2*time.Second, "read memory no sooner than this after the first frame")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long")
	ready := flag.String("ready", "", "a shell command that succeeds once the program's work is done: memory is read only after that (and idle)")
	shot := flag.String("shot", "", "save the screen as it was when the first frame was seen (a PNG, by ImageMagick's import), to check what counted")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: frame [flags] -- PROGRAM ARGS...")
		os.Exit(2)
	}
	if err := run(flag.Args(), *idle, *minWait, *timeout, *ready, *shot); err != nil {
		fmt.Fprintln(os.Stderr, "bench-frame:", err)
		os.Exit(1)
	}
}

func run(argv []string, idle, minWait, timeout time.Duration, ready, shot string) error {
	d := C.XOpenDisplay(nil)
	if d == nil {
		return fmt.Errorf("cannot open display %q", os.Getenv("DISPLAY"))
	}
	defer C.XCloseDisplay(d)
	scr := C.XDefaultScreen(d)
	w, h := C.XDisplayWidth(d, scr), C.XDisplayHeight(d, scr)
	C.watchRoot(d)
	if n := C.colours(d, w, h, 4, drawn); n >= drawn {
		return fmt.Errorf("the screen is not blank before the start (%d colours): another program draws on this display", n)
	}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	if C.waitMap(d, C.int(timeout.Milliseconds())) == 0 {
		stop()
		return fmt.Errorf("no window was mapped within %s", timeout)
	}
	var frame time.Duration
	for {
		if n := C.colours(d, w, h, 4, drawn); n >= drawn {
			frame = time.Since(start)
			if shot != "" {
				if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
					fmt.Fprintf(os.Stderr, "bench-frame: import: %v %s\n", err, out)
				}
			}
			break
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the program ended before it drew: %v", err)
		default:
		}
		if time.Since(start) > timeout {
			stop()
			return fmt.Errorf("nothing drawn within %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Idle: CPU ticks over the last idle period below 5% of it.
	pid := cmd.Process.Pid
	settled := time.Now()
	type sample struct {
		at    time.Time
		ticks int64
	}
	var hist []sample
	hz := int64(100) // USER_HZ on Linux
	for {
		t, err := cpuTicks(pid)
		if err != nil {
			return err
		}
		now := time.Now()
		hist = append(hist, sample{now, t})
		for len(hist) > 1 && now.Sub(hist[1].at) >= idle {
			hist = hist[1:]
		}
		if now.Sub(settled) >= minWait && now.Sub(hist[0].at) >= idle && done(ready) {
			used := time.Duration(t-hist[0].ticks) * time.Second / time.Duration(hz)
			if used*20 < now.Sub(hist[0].at) {
				break
			}
		}
		if time.Since(start) > timeout {
			stop()
			return fmt.Errorf("not idle within %s", timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	rss, hwm, err := memory(pid)
	idleAfter := time.Since(start)
	stop()
	if err != nil {
		return err
	}
	fmt.Printf("frame_ms=%d rss_kb=%d hwm_kb=%d idle_after_ms=%d\n", frame.Milliseconds(), rss, hwm, idleAfter.Milliseconds())
	return nil
}

// done reports whether the -ready command succeeds (true without one).
func done(ready string) bool {
	return ready == "" || exec.Command("sh", "-c", ready).Run() == nil
}

// cpuTicks is the process's user+system CPU time in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
}

// memory is VmRSS and VmHWM in kB.
func memory(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, sc.Err()
}
