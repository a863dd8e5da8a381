package backup

// Just enough of OpenPGP (RFC 4880, section 4) to walk the packets of
// what `gpg --sign` (and `--sign --encrypt`) writes: headers of either
// format, every length form including the partial lengths gpg uses for
// data it reads from a pipe, and the compressed data packet's three
// algorithms. Nothing is decrypted and no signature is checked: the
// server's key stays in its /etc/xroad/gpghome.

import (
	"bufio"
	"compress/bzip2"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Packet tags the walk meets.
const (
	tagPKESK      = 1  // public-key encrypted session key
	tagSignature  = 2  // the signature, after the data
	tagSKESK      = 3  // symmetric-key encrypted session key
	tagOnePass    = 4  // one-pass signature, before the data
	tagCompressed = 8  // compressed data
	tagEncrypted  = 9  // symmetrically encrypted data (old)
	tagLiteral    = 11 // the data itself: here, the tar
	tagSEIPD      = 18 // symmetrically encrypted and integrity protected data
	tagAEAD       = 20 // AEAD encrypted data
)

var errPGP = errors.New("not an OpenPGP message")

// packet is one packet's tag and a reader of its body.
type packet struct {
	tag  int
	body *pgpBody
}

// nextPacket reads a packet header from r; io.EOF at a clean end. The
// previous packet's body must have been read to its end.
func nextPacket(r *bufio.Reader) (packet, error) {
	b, err := r.ReadByte()
	if err != nil {
		return packet{}, err // io.EOF: no more packets
	}
	if b&0x80 == 0 {
		return packet{}, fmt.Errorf("%w: a packet header without its high bit (0x%02x)", errPGP, b)
	}
	body := &pgpBody{r: r}
	if b&0x40 == 0 { // old format: tag in bits 5-2, length type in 1-0
		tag := int(b>>2) & 0x0f
		switch b & 3 {
		case 0, 1, 2:
			n := 1 << (b & 3)
			var buf [4]byte
			if _, err := io.ReadFull(r, buf[4-n:]); err != nil {
				return packet{}, short(err)
			}
			body.left = int64(binary.BigEndian.Uint32(buf[:]))
		case 3:
			body.toEnd = true // runs to the end of what holds it
		}
		return packet{tag, body}, nil
	}
	if err := body.length(); err != nil {
		return packet{}, err
	}
	return packet{int(b & 0x3f), body}, nil
}

// pgpBody reads one packet's body across its partial lengths.
type pgpBody struct {
	r       *bufio.Reader
	left    int64 // of the current part
	partial bool  // another part follows this one
	toEnd   bool  // old format, indeterminate length
}

// length reads a new-format length (section 4.2.2).
func (p *pgpBody) length() error {
	o1, err := p.r.ReadByte()
	if err != nil {
		return short(err)
	}
	p.partial = false
	switch {
	case o1 < 192:
		p.left = int64(o1)
	case o1 < 224:
		o2, err := p.r.ReadByte()
		if err != nil {
			return short(err)
		}
		p.left = int64(o1-192)<<8 + int64(o2) + 192
	case o1 == 255:
		var buf [4]byte
		if _, err := io.ReadFull(p.r, buf[:]); err != nil {
			return short(err)
		}
		p.left = int64(binary.BigEndian.Uint32(buf[:]))
	default:
		p.left, p.partial = 1<<(o1&0x1f), true
	}
	return nil
}

func (p *pgpBody) Read(b []byte) (int, error) {
	if p.toEnd {
		return p.r.Read(b)
	}
	for p.left == 0 {
		if !p.partial {
			return 0, io.EOF
		}
		if err := p.length(); err != nil {
			return 0, err
		}
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF // the header promised more
	}
	return n, err
}

// ReadByte makes the body an io.ByteReader, so that the decompressors
// read no further than their stream's end and what follows it is seen.
func (p *pgpBody) ReadByte() (byte, error) {
	var b [1]byte
	if _, err := io.ReadFull(p, b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

// drain reads the rest of the body, counting it.
func (p *pgpBody) drain() (int64, error) { return io.Copy(io.Discard, p) }

// decompress opens a compressed data packet's content (section 5.6).
func decompress(p *pgpBody) (io.Reader, error) {
	var algo [1]byte
	if _, err := io.ReadFull(p, algo[:]); err != nil {
		return nil, short(err)
	}
	switch algo[0] {
	case 0:
		return p, nil
	case 1: // ZIP: raw deflate, gpg's default
		return flate.NewReader(p), nil
	case 2:
		return zlib.NewReader(p)
	case 3:
		return bzip2.NewReader(p), nil
	}
	return nil, fmt.Errorf("%w: unknown compression algorithm %d", errPGP, algo[0])
}

func short(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
