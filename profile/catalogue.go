package profile

// The Catalogue (Каталог решений межведомственного взаимодействия,
// https://catalog.ordo.gov.kg) is where the participant describes its
// information systems and services (seed 000, step 9; seed 003, 4.4.4).
// The operator's pages say what it holds (the organisation, the
// information systems, the services, the classifiers used) but not its
// fields: every field here is marked guess until the operator confirms.

import (
	"fmt"
	"regexp"
	"strings"
)

// Catalogue is the shape of the export the participant copies into the
// Catalogue: one row (CSV) or object (JSON) per service, its fields in
// order.
type Catalogue struct {
	// URL is the Catalogue's address, for people (http(s)).
	URL    string           `json:"url"`
	Fields []CatalogueField `json:"fields"`
}

// CatalogueField is one column of the export.
type CatalogueField struct {
	// Name is the column's header and the JSON key.
	Name string `json:"name"`
	// Source is what fills it (CatalogueSources).
	Source string `json:"source"`
	// Guess, when set, starts with "guess:" and says what the operator's
	// pages leave open about this field.
	Guess string `json:"guess,omitempty"`
}

// CatalogueSources are the values a field may be filled from.
var CatalogueSources = []string{
	"instance", "member_class", "member_code", "member_name", "server_code",
	"subsystem_code", "subsystem_name", "subsystem_status",
	"service_code", "service_type", "service_url", "service_title", "endpoints",
}

var catalogueNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func (c *Catalogue) validate() *Error {
	bad := func(field, problem string) *Error { return &Error{Field: "catalogue." + field, Problem: problem} }
	if c.URL != "" && !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
		return bad("url", "must be empty or an http(s) address")
	}
	if len(c.Fields) == 0 {
		return bad("fields", "must list at least one field")
	}
	names := map[string]bool{}
	for i, f := range c.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !catalogueNameRE.MatchString(f.Name) {
			return bad(at+".name", "must be lower-case letters, digits and _ (a CSV header and a JSON key)")
		}
		if names[f.Name] {
			return bad(at+".name", "is given twice")
		}
		names[f.Name] = true
		known := false
		for _, s := range CatalogueSources {
			known = known || s == f.Source
		}
		if !known {
			return bad(at+".source", "must be one of "+strings.Join(CatalogueSources, ", "))
		}
		if f.Guess != "" && !strings.HasPrefix(f.Guess, "guess:") {
			return bad(at+".guess", `must start with "guess:"`)
		}
	}
	return nil
}
