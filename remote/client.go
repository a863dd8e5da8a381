package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	gossh "golang.org/x/crypto/ssh"
)

// Defaults.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultKeepAlive      = 15 * time.Second
	DefaultMaxOutput      = 16 << 20 // per stream, per Run
	keepAliveMaxMissed    = 3
	exitErrorTail         = 4 << 10
)

// ErrOutputLimit is returned (wrapped, *OutputLimitError) by Run when a
// stream exceeded Config.MaxOutput; the returned output is cut at the
// limit and the command was ended.
var ErrOutputLimit = errors.New("remote command output exceeded the limit")

// Config describes one SSH connection.
type Config struct {
	Target

	// KnownHostsFile defaults to ~/.ssh/known_hosts. It is created with
	// mode 0600 (directory 0700) when a new key is accepted.
	KnownHostsFile string
	// AcceptHostKey is asked only for a host not in known_hosts (never for
	// a changed key). true => the key is appended and the connection
	// proceeds. nil => unknown hosts are refused.
	AcceptHostKey func(host string, fingerprintSHA256 string, keyType string) bool
	// HashKnownHosts writes accepted hosts hashed ("|1|...") like
	// HashKnownHosts yes in OpenSSH; default plain "host" / "[host]:port".
	HashKnownHosts bool

	Agent       bool   // use the ssh-agent at AgentSocket or SSH_AUTH_SOCK
	AgentSocket string // overrides SSH_AUTH_SOCK when set

	IdentityFiles []string                          // private keys; encrypted ones ask Passphrase
	Passphrase    func(file string) (string, error) // asked only when the server accepts that key
	// Password is used for "password" and "keyboard-interactive" (answers
	// echo-off prompts). Asked at most once per Dial.
	Password func() (string, error)

	// Jump is a jump host (bastion); the connection is tunnelled through it
	// with direct-tcpip. Empty KnownHostsFile, AcceptHostKey,
	// ConnectTimeout, KeepAlive and Logger are inherited from this Config;
	// when the jump Config has no auth method at all, this Config's
	// credentials are used for it too.
	Jump *Config

	ConnectTimeout time.Duration // TCP connect + handshake + auth (user prompts excluded); default 10s
	KeepAlive      time.Duration // keepalive@openssh.com interval, default 15s; closed after 3 missed; <0 disables

	MaxOutput int                // per stream per Run, default 16 MiB
	Logger    logrus.FieldLogger // default logrus.StandardLogger(); Debug level for connection steps
}

func (c *Config) hasAuth() bool {
	return c.Agent || len(c.IdentityFiles) > 0 || c.Password != nil
}

func (c *Config) setDefaults() error {
	if c.Host == "" {
		return errors.New("ssh: no host given")
	}
	if c.User == "" {
		return fmt.Errorf("ssh: no user given for %s", c.Host)
	}
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.KnownHostsFile == "" {
		f, err := DefaultKnownHostsFile()
		if err != nil {
			return err
		}
		c.KnownHostsFile = f
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}
	if c.Logger == nil {
		c.Logger = logrus.StandardLogger()
	}
	return nil
}

// Client is an authenticated SSH connection.
type Client struct {
	cfg    Config
	client *gossh.Client
	jump   *Client
	log    logrus.FieldLogger

	closeOnce sync.Once
	done      chan struct{}
	closeErr  error
}

// Dial connects, verifies the host key and authenticates. ctx cancels the
// connection attempt at any stage (including through a jump host); after
// Dial returns, ctx no longer affects the connection.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger.WithField("ssh_target", cfg.Target.String())
	var (
		jump *Client
		conn net.Conn
		err  error
	)
	if cfg.Jump != nil {
		jc := *cfg.Jump
		if jc.KnownHostsFile == "" {
			jc.KnownHostsFile = cfg.KnownHostsFile
		}
		if jc.AcceptHostKey == nil {
			jc.AcceptHostKey = cfg.AcceptHostKey
		}
		if jc.ConnectTimeout <= 0 {
			jc.ConnectTimeout = cfg.ConnectTimeout
		}
		if jc.KeepAlive == 0 {
			jc.KeepAlive = cfg.KeepAlive
		}
		if jc.Logger == nil {
			jc.Logger = cfg.Logger
		}
		if !jc.hasAuth() {
			jc.Agent, jc.AgentSocket = cfg.Agent, cfg.AgentSocket
			jc.IdentityFiles, jc.Passphrase, jc.Password = cfg.IdentityFiles, cfg.Passphrase, cfg.Password
		}
		if jc.User == "" {
			jc.User = cfg.User
		}
		log.WithField("jump", jc.Target.String()).Debug("ssh: connecting to jump host")
		jump, err = Dial(ctx, jc)
		if err != nil {
			return nil, fmt.Errorf("ssh: jump host %s: %w", jc.Target.String(), err)
		}
		dctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
		conn, err = jump.client.DialContext(dctx, "tcp", cfg.Addr())
		cancel()
		if err != nil {
			jump.Close()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("ssh: connecting to %s: %w", cfg.Target.String(), ctx.Err())
			}
			return nil, fmt.Errorf("ssh: jump host %s could not open a tunnel to %s: %w", jc.Target.String(), cfg.Addr(), err)
		}
	} else {
		log.Debug("ssh: connecting")
		d := net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
		conn, err = d.DialContext(ctx, "tcp", cfg.Addr())
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("ssh: connecting to %s: %w", cfg.Target.String(), ctx.Err())
			}
			return nil, fmt.Errorf("ssh: connecting to %s: %w", cfg.Addr(), err)
		}
		conn = withQuickAck(conn)
	}
	sc, err := handshake(ctx, conn, &cfg, log)
	if err != nil {
		conn.Close()
		if jump != nil {
			jump.Close()
		}
		return nil, err
	}
	c := &Client{cfg: cfg, client: sc, jump: jump, log: log, done: make(chan struct{})}
	log.Debug("ssh: connected and authenticated")
	if cfg.KeepAlive > 0 {
		go c.keepAlive(cfg.KeepAlive)
	}
	go func() { // a dropped connection also ends the keepalive loop
		sc.Wait()
		c.closeOnce.Do(func() { close(c.done) })
	}()
	return c, nil
}

// connectGuard enforces ConnectTimeout and ctx during the handshake; user
// prompts suspend the timeout.
type connectGuard struct {
	conn    net.Conn
	timeout time.Duration
	stopCh  chan struct{}

	mu       sync.Mutex
	timer    *time.Timer
	paused   int
	timedOut bool
	stopped  bool
}

func newGuard(ctx context.Context, conn net.Conn, timeout time.Duration) *connectGuard {
	g := &connectGuard{conn: conn, timeout: timeout, stopCh: make(chan struct{})}
	g.timer = time.AfterFunc(timeout, g.fire)
	go func() {
		select {
		case <-ctx.Done():
			conn.Close()
		case <-g.stopCh:
		}
	}()
	return g
}

func (g *connectGuard) fire() {
	g.mu.Lock()
	if g.paused > 0 || g.stopped {
		g.mu.Unlock()
		return
	}
	g.timedOut = true
	g.mu.Unlock()
	g.conn.Close()
}

func (g *connectGuard) interact(f func()) {
	g.mu.Lock()
	g.paused++
	g.timer.Stop()
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.paused--
		if g.paused == 0 && !g.stopped {
			g.timer.Reset(g.timeout)
		}
		g.mu.Unlock()
	}()
	f()
}

func (g *connectGuard) stop() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.stopped {
		g.stopped = true
		g.timer.Stop()
		close(g.stopCh)
	}
	return g.timedOut
}

func handshake(ctx context.Context, conn net.Conn, cfg *Config, log logrus.FieldLogger) (*gossh.Client, error) {
	g := newGuard(ctx, conn, cfg.ConnectTimeout)
	hv := &hostKeyVerifier{file: cfg.KnownHostsFile, accept: cfg.AcceptHostKey, hash: cfg.HashKnownHosts, log: log, interact: g.interact}
	algos, err := hv.hostKeyAlgorithms(cfg.Addr())
	if err != nil {
		g.stop()
		return nil, fmt.Errorf("ssh: %s: %w", cfg.Target.String(), err)
	}
	if algos != nil {
		log.WithField("algorithms", strings.Join(algos, ",")).Debug("ssh: host key algorithms from known_hosts")
	}
	as := &authState{cfg: cfg, log: log, interact: g.interact}
	defer as.close()
	ccfg := &gossh.ClientConfig{
		User:              cfg.User,
		Auth:              as.methods(),
		AuthCallback:      as.authCallback,
		HostKeyCallback:   hv.check,
		HostKeyAlgorithms: algos,
		Timeout:           cfg.ConnectTimeout,
	}
	sc, chans, reqs, err := gossh.NewClientConn(conn, cfg.Addr(), ccfg)
	timedOut := g.stop()
	if err == nil {
		return gossh.NewClient(sc, chans, reqs), nil
	}
	target := cfg.Target.String()
	var (
		changed *HostKeyChangedError
		unknown *HostKeyUnknownError
		revoked *HostKeyRevokedError
	)
	switch {
	case errors.As(err, &changed):
		return nil, changed
	case errors.As(err, &unknown):
		return nil, unknown
	case errors.As(err, &revoked):
		return nil, revoked
	case ctx.Err() != nil:
		return nil, fmt.Errorf("ssh: connecting to %s: %w", target, ctx.Err())
	case timedOut:
		return nil, fmt.Errorf("ssh: connecting to %s: no answer within %s: %w", target, cfg.ConnectTimeout, context.DeadlineExceeded)
	case errors.As(err, new(*identityError)),
		strings.Contains(err.Error(), "unable to authenticate") || strings.Contains(err.Error(), "too many authentication attempts"):
		return nil, as.authError(cfg.User, cfg.Addr(), err)
	}
	return nil, fmt.Errorf("ssh: connecting to %s: %w", target, err)
}

func (c *Client) keepAlive(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	missed := 0
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		res := make(chan error, 1)
		go func() {
			_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
			res <- err
		}()
		select {
		case <-c.done:
			return
		case err := <-res:
			if err != nil {
				c.log.WithError(err).Debug("ssh: keepalive failed, connection is gone")
				c.Close()
				return
			}
			missed = 0
		case <-time.After(every):
			missed++
			c.log.WithField("missed", missed).Debug("ssh: keepalive not answered")
			if missed >= keepAliveMaxMissed {
				c.log.Warn("ssh: server stopped answering keepalives, closing the connection")
				c.Close()
				return
			}
		}
	}
}

// Raw returns the underlying connection (port forwards, extra sessions).
func (c *Client) Raw() *gossh.Client { return c.client }

// Target returns the target this client is connected to.
func (c *Client) Target() Target { return c.cfg.Target }

// Close closes the connection and then the jump host connection, if any.
func (c *Client) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	err := c.client.Close()
	if c.jump != nil {
		c.jump.Close()
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// ExitError is a command (on the host, over SSH or on this computer) that
// ended with a non-zero status.
type ExitError struct {
	Code   int    // exit status; 128+N when killed by signal N
	Signal string // signal name without "SIG" when killed by a signal
	Stderr []byte // last bytes of stderr (up to 4 KiB), raw
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("the command exited with status %d", e.Code)
	if e.Signal != "" {
		msg = fmt.Sprintf("the command was killed by signal %s (status %d)", e.Signal, e.Code)
	}
	if tail := lastLines(i18n.Sanitize(string(e.Stderr)), 3, 512); tail != "" {
		msg += ": " + tail
	}
	return msg
}

// Run runs cmd in one exec session and returns its output. A non-zero exit
// returns *ExitError together with the output. Nothing here waits on the
// host without a bound:
//   - opening the session and starting the command take at most
//     ConnectTimeout (*StalledError with Opening);
//   - ctx's deadline ends the command (*StalledError: the host stalled or
//     trickled), its cancellation too (an error wrapping ctx.Err());
//   - a stream past Config.MaxOutput stops the read and ends the command
//     (*OutputLimitError, wrapping ErrOutputLimit).
//
// Ending the command signals it (KILL) and closes the session, without
// waiting on the host; Run then returns at once with the output so far.
// stdin may be nil; Run does not wait for stdin to reach EOF once the
// command has ended.
func (c *Client) Run(ctx context.Context, cmd string, stdin io.Reader) (stdout, stderr []byte, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	start := time.Now()
	outBuf := newBoundedBuffer(c.cfg.MaxOutput, "stdout")
	errBuf := newBoundedBuffer(c.cfg.MaxOutput, "stderr")
	x := &execution{}
	started := make(chan struct{})
	waitCh := make(chan error, 1)
	go func() { waitCh <- x.run(c, cmd, stdin, outBuf, errBuf, started) }()
	opening := time.NewTimer(c.cfg.ConnectTimeout)
	defer opening.Stop()
	// end stops the command and gives the copiers a moment to hand over
	// what already arrived; it never blocks on the host.
	end := func() ([]byte, []byte) {
		x.stop()
		select {
		case <-waitCh:
		case <-time.After(200 * time.Millisecond):
		}
		return outBuf.Bytes(), errBuf.Bytes()
	}
	for err == nil {
		select {
		case <-started:
			started = nil
			opening.Stop()
			continue
		case <-opening.C:
			if started == nil {
				continue
			}
			x.stop()
			return nil, nil, fmt.Errorf("ssh: %s: %w", c.cfg.Target.String(), &StalledError{After: time.Since(start), Opening: true})
		case <-ctx.Done():
			o, e := end()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return o, e, Stalled(ctx, start)
			}
			return o, e, fmt.Errorf("ssh: remote command interrupted: %w", ctx.Err())
		case <-outBuf.over:
			o, e := end()
			return o, e, outBuf.err()
		case <-errBuf.over:
			o, e := end()
			return o, e, errBuf.err()
		case werr := <-waitCh:
			if werr == nil {
				return outBuf.Bytes(), errBuf.Bytes(), nil
			}
			err = werr
		}
	}
	stdout, stderr = outBuf.Bytes(), errBuf.Bytes()
	var ee *gossh.ExitError
	var missing *gossh.ExitMissingError
	var limit *OutputLimitError
	switch {
	case errors.As(err, &limit):
		// The last write went past the limit as the command ended.
		return stdout, stderr, limit
	case errors.As(err, &ee):
		tail := stderr
		if len(tail) > exitErrorTail {
			tail = tail[len(tail)-exitErrorTail:]
		}
		return stdout, stderr, &ExitError{Code: ee.ExitStatus(), Signal: ee.Signal(), Stderr: append([]byte(nil), tail...)}
	case errors.As(err, &missing):
		return stdout, stderr, fmt.Errorf("ssh: remote command ended without an exit status (connection lost?)")
	}
	return stdout, stderr, err
}

// execution is one command's session, opened and waited for in a
// goroutine of its own so that Run can give up on a host that never
// answers.
type execution struct {
	mu      sync.Mutex
	sess    *gossh.Session
	stopped bool
}

// run opens the session, starts cmd (closing started once it runs) and
// waits for it to end.
func (x *execution) run(c *Client, cmd string, stdin io.Reader, stdout, stderr io.Writer, started chan<- struct{}) error {
	sess, err := c.client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh: opening a session on %s: %w", c.cfg.Target.String(), err)
	}
	x.mu.Lock()
	if x.stopped {
		x.mu.Unlock()
		sess.Close()
		return context.Canceled
	}
	x.sess = sess
	x.mu.Unlock()
	defer sess.Close()
	sess.Stdout, sess.Stderr = stdout, stderr
	var in io.WriteCloser
	if stdin != nil {
		if in, err = sess.StdinPipe(); err != nil {
			return fmt.Errorf("ssh: stdin for remote command: %w", err)
		}
	}
	if err := sess.Start(cmd); err != nil {
		return fmt.Errorf("ssh: starting remote command: %w", err)
	}
	close(started)
	c.log.Debug("ssh: remote command started")
	if in != nil {
		go func() {
			io.Copy(in, stdin)
			in.Close()
		}()
	}
	if err := sess.Wait(); err != nil {
		var ee *gossh.ExitError
		var missing *gossh.ExitMissingError
		if errors.As(err, &ee) || errors.As(err, &missing) {
			return err
		}
		return fmt.Errorf("ssh: remote command: %w", err)
	}
	return nil
}

// stop signals the command and closes its session, in the background: a
// host that no longer reads may hold even those writes.
func (x *execution) stop() {
	x.mu.Lock()
	x.stopped = true
	sess := x.sess
	x.mu.Unlock()
	if sess != nil {
		go func() {
			sess.Signal(gossh.SIGKILL)
			sess.Close()
		}()
	}
}

func lastLines(s string, n, max int) string {
	s = strings.TrimRight(s, "\n\t ")
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, " | ")
	if len(out) > max {
		cut := len(out) - max
		for cut < len(out) && !utf8.RuneStart(out[cut]) {
			cut++
		}
		out = "..." + out[cut:]
	}
	return strings.TrimSpace(out)
}
