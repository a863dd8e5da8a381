package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"golang.org/x/term"
)

// pinKind names a PIN the token verbs ask for; its prompt and its place in
// error messages are translated (keys cli.pin.<kind>).
type pinKind string

// The PINs asked; a new PIN is asked again as <kind>_again.
const (
	pinUser        pinKind = "user"
	pinSO          pinKind = "so"
	pinCurrentUser pinKind = "current_user"
	pinCurrentSO   pinKind = "current_so"
	pinNewUser     pinKind = "new_user"
	pinNewSO       pinKind = "new_so"
)

func (k pinKind) key() string { return "cli.pin." + string(k) }

// pinSource reads PINs from the terminal without echo, or from stdin
// lines with --pin-stdin. Never from argv or the environment.
type pinSource struct {
	stdin     io.Reader
	fromStdin bool
	lang      string
	lines     *bufio.Reader
}

// openTTY opens the controlling terminal; tests replace it.
var openTTY = func() (*os.File, error) { return os.OpenFile("/dev/tty", os.O_RDWR, 0) }

// pinErr is a failure to read a PIN, told in the user's language. It never
// holds the PIN.
func (p *pinSource) pinErr(key string, which pinKind) error {
	return textErr(i18n.T(p.lang, key, map[string]any{"What": i18n.T(p.lang, which.key(), nil)}))
}

// line reads the next line of stdin.
func (p *pinSource) line(which pinKind) (string, error) {
	if p.lines == nil {
		p.lines = bufio.NewReader(p.stdin)
	}
	s, err := p.lines.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", p.pinErr("cli.pin.err.stdin_ended", which)
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// read returns one PIN.
func (p *pinSource) read(which pinKind) (string, error) {
	if p.fromStdin {
		pin, err := p.line(which)
		if err == nil && pin == "" {
			err = p.pinErr("cli.pin.err.stdin_empty", which)
		}
		return pin, err
	}
	tty, err := openTTY()
	if err != nil {
		return "", p.pinErr("cli.pin.err.no_tty", which)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "%s: ", upperFirst(i18n.T(p.lang, which.key(), nil)))
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", p.pinErr("cli.pin.err.read", which)
	}
	if len(b) == 0 {
		return "", p.pinErr("cli.pin.err.empty", which)
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

// upperFirst capitalises the first letter, Cyrillic included.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
