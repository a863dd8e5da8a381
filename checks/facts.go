// Package checks answers "is this server ready for an X-Road Security
// Server?": it gathers Facts about a machine (locally or over SSH), applies
// the operator profile's rules to them and renders a report.
package checks

// Facts is what a machine is, as far as readiness is concerned. The local
// and the remote collector both fill this one type and must agree on the
// same machine. A nil pointer or empty value means "not known"; the reason
// is then in Notes under the fact's JSON name.
type Facts struct {
	Hostname   string      `json:"hostname,omitempty"`
	OS         OSRelease   `json:"os"`
	Arch       string      `json:"arch"` // as uname -m prints it: x86_64, aarch64
	CPU        CPU         `json:"cpu"`
	Memory     Memory      `json:"memory"`
	Disks      []Disk      `json:"disks"`
	Interfaces []Interface `json:"interfaces"`
	TimeSynced *bool       `json:"time_synced"`
	Locales    []string    `json:"locales"`   // as `locale -a` prints them, normalised: en_US.UTF-8
	Listening  []Listener  `json:"listening"` // sorted by port, proto
	USBTokens  []USBDevice `json:"usb_tokens"`
	PCSCD      *bool       `json:"pcscd_running"`
	Sudo       *Sudo       `json:"sudo,omitempty"` // the remote user's privileges; nil for a local check
	// Notes says, per fact (JSON name), why it could not be collected.
	Notes map[string]string `json:"notes,omitempty"`
	// Unreadable lists, per fact (JSON name), the files that exist but
	// could not be read (permission denied), so a rule left undecided
	// says so instead of "not found".
	Unreadable map[string][]string `json:"unreadable,omitempty"`
}

// OSRelease holds the fields of /etc/os-release the rules need.
type OSRelease struct {
	ID         string `json:"id"`
	VersionID  string `json:"version_id"`
	PrettyName string `json:"pretty_name"`
}

// CPU describes the processor. Cores counts logical CPUs, as X-Road's JVM
// and `nproc` see them.
type CPU struct {
	Model string `json:"model"`
	Cores int    `json:"cores"`
	AES   *bool  `json:"aes"`
}

// Memory is the RAM the kernel reports (MemTotal).
type Memory struct {
	TotalBytes uint64 `json:"total_bytes"`
}

// Disk is one mounted filesystem that holds a path the rules care about
// ("/" and the one holding /var/lib). FreeBytes is what an unprivileged
// process may still use (statfs f_bavail), as df's "Available".
type Disk struct {
	Mount      string `json:"mount"`
	TotalBytes uint64 `json:"total_bytes"`
	FreeBytes  uint64 `json:"free_bytes"`
}

// Addressing says how an interface gets its address.
const (
	AddressingStatic  = "static"
	AddressingDHCP    = "dhcp"
	AddressingUnknown = "unknown"
)

// Interface is one network interface other than loopback. Addresses are in
// CIDR form (192.0.2.10/24). SpeedMbps is nil where the driver reports no
// speed (virtio, many virtual NICs).
type Interface struct {
	Name         string   `json:"name"`
	Addresses    []string `json:"addresses"`
	SpeedMbps    *int     `json:"speed_mbps"`
	Addressing   string   `json:"addressing"`
	DefaultRoute bool     `json:"default_route"`
	// AddressingSource names the file that decided Addressing, or is
	// AddressingSourceKernel when the kernel's lease did.
	AddressingSource string `json:"addressing_source,omitempty"`
	// Lease is the DHCP lease that made the kernel the source.
	Lease *Lease `json:"lease,omitempty"`
}

// Listener is a socket waiting for connections (TCP LISTEN or bound UDP).
// Process is the program's name when the collector may see it, else "".
type Listener struct {
	Port    int    `json:"port"`
	Proto   string `json:"proto"` // tcp or udp
	Address string `json:"address"`
	Process string `json:"process"`
}

// USBDevice is a USB device that looks like a hardware token.
type USBDevice struct {
	ID      string `json:"id"` // vendor:product in hex, e.g. 0a89:0030
	Product string `json:"product,omitempty"`
}

// Sudo describes what the SSH user may do as root.
type Sudo struct {
	User         string `json:"user"`
	IsRoot       bool   `json:"is_root"`
	Passwordless bool   `json:"passwordless"`  // sudo -n true succeeded
	InSudoGroup  bool   `json:"in_sudo_group"` // member of sudo, admin or wheel
}

// Note records why a fact is unknown.
func (f *Facts) Note(fact, reason string) {
	if f.Notes == nil {
		f.Notes = map[string]string{}
	}
	f.Notes[fact] = reason
}

// MarkUnreadable records a file of fact that exists but could not be read.
func (f *Facts) MarkUnreadable(fact, path string) {
	if f.Unreadable == nil {
		f.Unreadable = map[string][]string{}
	}
	if len(f.Unreadable[fact]) < maxFactList {
		f.Unreadable[fact] = append(f.Unreadable[fact], path)
	}
}

// DefaultInterface returns the interface carrying the default route, or nil.
func (f *Facts) DefaultInterface() *Interface {
	for i := range f.Interfaces {
		if f.Interfaces[i].DefaultRoute {
			return &f.Interfaces[i]
		}
	}
	return nil
}
