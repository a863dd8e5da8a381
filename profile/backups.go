package profile

// Backups is how the backups taken before changes are kept on the
// user's computer (issue 17).
type Backups struct {
	// Keep is how many backups of one server are kept, newest first:
	// 1-1000. A profile without "backups" keeps DefaultBackupKeep.
	Keep int `json:"keep"`
}

// DefaultBackupKeep is what a profile without "backups" keeps: ten
// changes back, a few MiB each.
const DefaultBackupKeep = 10

// BackupKeep is how many backups of a server to keep.
func (p *Profile) BackupKeep() int {
	if p.Backups == nil {
		return DefaultBackupKeep
	}
	return p.Backups.Keep
}

func (b *Backups) validate() *Error {
	if b != nil && (b.Keep < 1 || b.Keep > 1000) {
		return &Error{Field: "backups.keep", Problem: "must be 1-1000 (how many backups of a server this computer keeps)"}
	}
	return nil
}
