package main

import (
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// damagedOut is a store or outbox file that could not be read, in the
// JSON output.
type damagedOut struct {
	Path string `json:"path"`
}

// damaged tells the store's and the outbox's damaged files, each with its
// path, and says whether there were any: the verb then ends with exit 1
// after its output (done, and something is wrong). The files are left as
// they are.
func (r *submitRun) damaged(store *enroll.Store, ob *enroll.Outbox) bool {
	var all []enroll.Damaged
	if _, d, err := store.Scan(); err == nil {
		all = append(all, d...)
	}
	if _, d, err := ob.Scan(); err == nil {
		all = append(all, d...)
	}
	for _, d := range all {
		r.out.Damaged = append(r.out.Damaged, damagedOut{Path: d.Path})
		r.say("cli.submit.damaged", map[string]any{"Path": i18n.Line(d.Path, i18n.MaxLine)})
	}
	if len(all) > 0 {
		r.say("cli.submit.damaged_todo", nil)
	}
	return len(all) > 0
}
