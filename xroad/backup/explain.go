package backup

import (
	"errors"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// leads are the wrappers that say where a failure came: before a change
// (nothing changed) or after a restore (the restore is done).
var leads = map[string]string{
	"backup.err.before_change": "backup.lead.before_change",
	"backup.err.after_restore": "backup.lead.after_restore",
}

// Explain is an error of the backups in lang's terms: lead, a report
// catalogue key told before the rest ("" for none: see leads), and the
// cause's key and data: this room's own, else configure's (the API, the
// tunnel, the tokens' PINs). Strings in data are one clean line each.
func Explain(lang string, err error) (lead, key string, data map[string]any) {
	var be *Error
	if errors.As(err, &be) {
		if l, ok := leads[be.Key]; ok {
			lead = l
			if be.Err != nil {
				err = be.Err
			}
			be = nil
			errors.As(err, &be)
		}
	}
	if be == nil {
		key, data = configure.Explain(err)
		return lead, key, data
	}
	data = map[string]any{}
	for k, v := range be.Data {
		if s, ok := v.(string); ok {
			v = i18n.Line(s, i18n.MaxLine)
		}
		data[k] = v
	}
	if be.Key == "backup.err.write" {
		data["Reason"] = i18n.FileReason(lang, be.Err)
	}
	return lead, be.Key, data
}
