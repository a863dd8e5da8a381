package profile

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
)

// TestBackupKeep: the embedded profile's keep, the default without the
// section, and the bounds and strictness of a written one.
func TestBackupKeep(t *testing.T) {
	data, err := assets.FS.ReadFile("profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	with := func(section string) (*Profile, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "backups")
		if section != "" {
			m["backups"] = json.RawMessage(section)
		}
		b, _ := json.Marshal(m)
		return Parse(b, "test.json")
	}
	for section, want := range map[string]int{"": DefaultBackupKeep, `{"keep": 3}`: 3, `{"keep": 1000}`: 1000} {
		if p, err := with(section); err != nil || p.BackupKeep() != want {
			t.Errorf("%q: keep %v, %v", section, p, err)
		}
	}
	for _, section := range []string{`{"keep": 0}`, `{}`, `{"keep": -2}`, `{"keep": 1001}`, `{"keep": "5"}`, `{"kept": 5}`} {
		// a wrong type or name is told by its field; a number out of range as backups.keep
		if _, err := with(section); err == nil || !strings.Contains(err.Error(), "kee") && !strings.Contains(err.Error(), "kept") {
			t.Errorf("%s accepted: %v", section, err)
		}
	}
	if p, err := Default(); err != nil || p.BackupKeep() != 10 {
		t.Fatalf("embedded: %v", err)
	}
}
