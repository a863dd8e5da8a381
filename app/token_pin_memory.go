package app

import (
	"errors"
	"sync"

	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

// pinMemory keeps the user PIN a person typed, per token serial, for this
// run of the wizard only, so the next step (the CSR after the key) does
// not ask it again. It is never written anywhere: no preference, record
// or log. Only a PIN the token accepted or one the wizard has just set
// is kept, never a factory PIN; a PIN the token refuses is dropped, and
// all are dropped on "Forget the PIN" and when the window closes.
type pinMemory struct {
	mu   sync.Mutex
	pins map[string]string // serial -> user PIN
}

// get returns the user PIN kept for the token with serial.
func (p *pinMemory) get(serial string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pin, ok := p.pins[serial]
	return pin, ok && serial != ""
}

// keep remembers pin for serial. A token without a serial is not told
// apart from another one later, so nothing is kept for it.
func (p *pinMemory) keep(serial, pin string) {
	if serial == "" || pin == "" || tokens.IsFactoryPIN(pin, nil) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pins == nil {
		p.pins = map[string]string{}
	}
	p.pins[serial] = pin
}

// forget drops the PIN of serial.
func (p *pinMemory) forget(serial string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.pins, serial)
}

// clear drops every PIN (the window closes).
func (p *pinMemory) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pins = nil
}

// refused drops the PIN of serial when err is the token refusing a user
// PIN (wrong, locked, expired): the kept one is no longer good.
func (p *pinMemory) refused(serial string, err error) {
	var pe *tokens.PINError
	if errors.As(err, &pe) && pe.Who != "so" {
		p.forget(serial)
	}
}

// all are the PINs kept, for the support bundle to take out wherever
// they appear.
func (p *pinMemory) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.pins))
	for _, pin := range p.pins {
		out = append(out, pin)
	}
	return out
}
