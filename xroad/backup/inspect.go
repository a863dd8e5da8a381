package backup

// What a backup file must be for X-Road to restore it, checked on this
// computer. X-Road 7.4.2 _backup_xroad.sh writes a tar labelled
// "security_XROAD_7.1_<server ID>" through `gpg --sign` (and --encrypt
// when the server encrypts its backups); _restore_xroad.sh undoes the gpg
// layer, lists the tar (`tar tf`) and compares its label with the
// server's (check_tarball_label). Here: the OpenPGP packets walked to the
// end; for a signed file, the tar inside read to its end marker, its
// label read, the signature packets counted against the one-pass ones.
// An encrypted file is walked only as packets: its content needs the
// server's key. The signature itself is not checked (the server's public
// key is on the server only), nor is anything decrypted.

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Check is what the check of a backup file found.
type Check struct {
	// Encrypted: encrypted to the server's key as well as signed; only
	// its packets were walked.
	Encrypted bool `json:"encrypted"`
	// Label is the tar's label, Server the server ID in it
	// (INSTANCE/CLASS/CODE/SERVER), Version X-Road's backup format
	// ("XROAD_7.1").
	Label   string `json:"label,omitempty"`
	Server  string `json:"server,omitempty"`
	Version string `json:"format,omitempty"`
	// Entries is how many files and folders the tar holds; DBDump
	// whether the database dump is one of them.
	Entries int  `json:"entries,omitempty"`
	DBDump  bool `json:"database_dump"`
}

// maxExpanded bounds what a compressed backup may expand to: a hostile
// file must not keep the check busy for ever.
const maxExpanded = 4 << 30

var labelRE = regexp.MustCompile(`^security_(XROAD_[0-9.]+)_(.+)$`)

// errContent is a file that is no backup X-Road can restore.
var errContent = errors.New("not a security server backup")

// inspect walks a backup file.
func inspect(r io.Reader) (Check, error) {
	br := bufio.NewReader(r)
	p, err := nextPacket(br)
	if err == io.EOF {
		return Check{}, fmt.Errorf("%w: the file is empty", errPGP)
	}
	if err != nil {
		return Check{}, err
	}
	var ch Check
	switch p.tag {
	case tagPKESK, tagSKESK:
		ch, err = Check{Encrypted: true}, encrypted(p, br)
	case tagCompressed:
		var in io.Reader
		if in, err = decompress(p.body); err == nil {
			ch, err = signed(bufio.NewReader(io.LimitReader(in, maxExpanded)))
		}
		if err == nil {
			if n, derr := p.body.drain(); derr != nil || n > 0 {
				err = fmt.Errorf("%w: %d bytes after the compressed data", errContent, n)
			}
		}
	case tagOnePass:
		ch, err = signedFrom(p, br)
	default:
		err = fmt.Errorf("%w: it starts with packet %d, not signed data", errContent, p.tag)
	}
	if err != nil {
		return ch, err
	}
	if _, err := nextPacket(br); err != io.EOF {
		return ch, fmt.Errorf("%w: data after the message's end", errContent)
	}
	return ch, nil
}

// encrypted walks session key packets and the encrypted data after them.
func encrypted(p packet, r *bufio.Reader) error {
	for p.tag == tagPKESK || p.tag == tagSKESK {
		if _, err := p.body.drain(); err != nil {
			return err
		}
		var err error
		if p, err = nextPacket(r); err != nil {
			return short(err)
		}
	}
	if p.tag != tagSEIPD && p.tag != tagEncrypted && p.tag != tagAEAD {
		return fmt.Errorf("%w: session keys without encrypted data (packet %d)", errContent, p.tag)
	}
	_, err := p.body.drain()
	return err
}

func signed(r *bufio.Reader) (Check, error) {
	p, err := nextPacket(r)
	if err != nil {
		return Check{}, short(err)
	}
	return signedFrom(p, r)
}

// signedFrom walks one-pass signatures, the literal data (the tar) and
// as many signatures after it.
func signedFrom(p packet, r *bufio.Reader) (Check, error) {
	ops := 0
	var err error
	for ; p.tag == tagOnePass; ops++ {
		if _, err = p.body.drain(); err == nil {
			p, err = nextPacket(r)
		}
		if err != nil {
			return Check{}, short(err)
		}
	}
	if ops == 0 || p.tag != tagLiteral {
		return Check{}, fmt.Errorf("%w: no signed data (packet %d)", errContent, p.tag)
	}
	ch, err := literal(p.body)
	if err != nil {
		return ch, err
	}
	sigs := 0
	for {
		p, err := nextPacket(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return ch, err
		}
		if p.tag != tagSignature {
			return ch, fmt.Errorf("%w: packet %d after the data", errContent, p.tag)
		}
		if _, err := p.body.drain(); err != nil {
			return ch, err
		}
		sigs++
	}
	if sigs < ops {
		return ch, fmt.Errorf("%w: the signature is missing (the file is cut short)", errContent)
	}
	return ch, nil
}

// literal reads a literal data packet (section 5.9) whose data is the tar.
func literal(p *pgpBody) (Check, error) {
	var head [2]byte
	if _, err := io.ReadFull(p, head[:]); err != nil {
		return Check{}, short(err)
	}
	// format, file name (length head[1]), a 4-byte date
	if _, err := io.CopyN(io.Discard, p, int64(head[1])+4); err != nil {
		return Check{}, short(err)
	}
	ch, err := readTar(p)
	if err == nil {
		_, err = p.drain() // the tar's padding to its record size
	}
	return ch, err
}

func readTar(r io.Reader) (Check, error) {
	var ch Check
	tr := tar.NewReader(r)
	for i := 0; ; i++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ch, fmt.Errorf("%w: the archive is damaged: %w", errContent, err)
		}
		if i == 0 {
			m := labelRE.FindStringSubmatch(h.Name)
			if h.Typeflag != 'V' || m == nil {
				return ch, fmt.Errorf("%w: the archive has no security server label", errContent)
			}
			ch.Label, ch.Version, ch.Server = h.Name, m[1], m[2]
			continue
		}
		ch.Entries++
		ch.DBDump = ch.DBDump || strings.TrimPrefix(h.Name, "/") == "var/lib/xroad/dbdump.dat"
	}
	if ch.Label == "" {
		return ch, fmt.Errorf("%w: the archive is empty", errContent)
	}
	return ch, nil
}
