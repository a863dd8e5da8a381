package readcap

// The limits of the files a user names, in one place. Each is well above
// what a real file of its kind holds and far below what would hurt the
// program's memory; a file over it is refused with its name and the limit.
const (
	// Profile is an operator profile (the embedded one is ~10 KiB).
	Profile = 1 << 20
	// Anchor is a configuration anchor (a few KiB; X-Road's API takes at
	// most 50 KiB, which xroad/configure checks after the read).
	Anchor = 1 << 20
	// Certificate is a certificate file, DER or PEM, a chain at most.
	Certificate = 64 << 10
	// CSR is a certificate signing request, DER or PEM.
	CSR = 64 << 10
	// Key is an SSH private or public key file.
	Key = 64 << 10
	// KnownHosts is an SSH known_hosts file (thousands of hosts).
	KnownHosts = 4 << 20
	// HostsList is a --hosts list, one target a line.
	HostsList = 1 << 20
	// CABundle is a PEM file of extra CA certificates (a whole system
	// bundle is ~200 KiB).
	CABundle = 1 << 20
	// Report is a saved readiness report (JSON, one host).
	Report = 4 << 20
	// ConnectPlan is a connect plan (JSON: subsystems, services, access
	// rights; a few KiB).
	ConnectPlan = 1 << 20
	// OpenAPI is an OpenAPI description: X-Road's OpenApiParser.java
	// reads at most 10 MiB.
	OpenAPI = 10 << 20
	// Record is the onboarding record, a submission's status file and an
	// outbox item.
	Record = 4 << 20
	// PackageFile is one file of a submission package: manifest, CSRs,
	// participant.json, the readiness report (JSON or HTML).
	PackageFile = 16 << 20
	// Message is an .eml the program wrote: a whole package, base64.
	Message = 128 << 20
	// AlertState is the health alerts' memory of what was sent (a few
	// hundred bytes a finding).
	AlertState = 4 << 20
	// StatusHistory is status's memory of each server's message log
	// archive size (at most 1000 servers of 33 samples, ~50 bytes each).
	StatusHistory = 4 << 20
	// Secret is a file holding one token (a Telegram bot token is ~46
	// bytes).
	Secret = 4 << 10
	// SystemFile is a small configuration file of this computer
	// (/etc/os-release, /etc/ssh/sshd_config).
	SystemFile = 1 << 20
	// Journal is the install journal on the host (a few hundred bytes a
	// step).
	Journal = 1 << 20
)
