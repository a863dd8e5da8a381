package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// pinSource reads PINs from the terminal without echo, or from stdin
// lines with --pin-stdin. Never from argv or the environment.
type pinSource struct {
	stdin     io.Reader
	fromStdin bool
	prompt    io.Writer
	lines     *bufio.Reader
}

// openTTY opens the controlling terminal; tests replace it.
var openTTY = func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }

// line reads the next line of stdin.
func (p *pinSource) line(what string) (string, error) {
	if p.lines == nil {
		p.lines = bufio.NewReader(p.stdin)
	}
	s, err := p.lines.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", fmt.Errorf("--pin-stdin: standard input ended before the %s", what)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// read returns one PIN, what naming it ("SO PIN", "new user PIN").
func (p *pinSource) read(what string) (string, error) {
	if p.fromStdin {
		pin, err := p.line(what)
		if err == nil && pin == "" {
			err = fmt.Errorf("--pin-stdin: the %s line is empty", what)
		}
		return pin, err
	}
	tty, err := openTTY()
	if err != nil {
		return "", fmt.Errorf("there is no terminal to ask the %s: use --pin-stdin", what)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: ", upperFirst(what))
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", fmt.Errorf("reading the %s: %w", what, err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("no %s entered", what)
	}
	return string(b), nil
}

// confirmLine asks for a typed confirmation on the terminal (not stdin,
// which may carry PINs or be a script).
func confirmLine(question string) (string, error) {
	tty, err := openTTY()
	if err != nil {
		return "", errors.New("no terminal to confirm on")
	}
	defer tty.Close()
	fmt.Fprint(tty, question)
	s, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && s == "" {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
