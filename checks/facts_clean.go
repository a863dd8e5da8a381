package checks

// Every string in Facts came from the machine checked (over SSH, a host
// we do not trust): names, users, interfaces, process names, paths. They
// are cleaned once, where the facts enter a report, so that no rule, no
// report format (text, JSON, HTML) and no log line sees a control or
// escape sequence, invalid UTF-8 or a line break a host slipped in.

import "github.com/tunduk-onboard/tunduk-onboard/i18n"

// Bounds of one fact shown to people: a name fits in a line, a list of
// paths in a note.
const (
	maxFactName = 256
	maxFactList = 128 // entries of one list a report shows
)

// Clean strips control and escape sequences from every string of f and
// bounds its length (i18n.Line); it returns f.
func (f *Facts) Clean() *Facts {
	if f == nil {
		return nil
	}
	line := func(s *string) { *s = i18n.Line(*s, maxFactName) }
	lines := func(l []string) []string {
		if len(l) > maxFactList*8 {
			l = l[:maxFactList*8]
		}
		for i := range l {
			line(&l[i])
		}
		return l
	}
	line(&f.Hostname)
	line(&f.Arch)
	line(&f.OS.ID)
	line(&f.OS.VersionID)
	line(&f.OS.PrettyName)
	line(&f.CPU.Model)
	for i := range f.Disks {
		line(&f.Disks[i].Mount)
	}
	for i := range f.Interfaces {
		it := &f.Interfaces[i]
		line(&it.Name)
		it.Addresses = lines(it.Addresses)
		line(&it.Addressing)
		line(&it.AddressingSource)
		if it.Lease != nil {
			line(&it.Lease.Address)
		}
	}
	f.Locales = lines(f.Locales)
	for i := range f.Listening {
		line(&f.Listening[i].Address)
		line(&f.Listening[i].Proto)
		line(&f.Listening[i].Process)
	}
	for i := range f.USBTokens {
		line(&f.USBTokens[i].ID)
		line(&f.USBTokens[i].Product)
	}
	if f.Sudo != nil {
		line(&f.Sudo.User)
	}
	for k, v := range f.Notes {
		f.Notes[k] = i18n.Line(v, i18n.MaxLine)
	}
	for k, paths := range f.Unreadable {
		if len(paths) > maxFactList {
			paths = paths[:maxFactList]
		}
		f.Unreadable[k] = lines(paths)
	}
	return f
}
