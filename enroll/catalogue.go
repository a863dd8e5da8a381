package enroll

// The export for the operator's Catalogue: the subsystems and services
// of a security server in the shape the profile gives (catalogue.fields),
// as CSV or JSON, so the Catalogue entry is a copy, not a retyping.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// CatalogueSchema names the JSON export's format.
const CatalogueSchema = "tunduk-onboard.catalogue/v1"

// CatalogueSubsystem is a subsystem as the export needs it (the connect
// flow's Subsystem converts to it field by field).
type CatalogueSubsystem struct {
	Instance    string             `json:"instance"`
	MemberClass string             `json:"member_class"`
	MemberCode  string             `json:"member_code"`
	Code        string             `json:"code"`
	Name        string             `json:"name"`
	Status      string             `json:"status"`
	Services    []CatalogueService `json:"services"`
}

// CatalogueService is one service of a subsystem.
type CatalogueService struct {
	Code      string              `json:"code"`
	Type      string              `json:"type"`
	URL       string              `json:"url"`
	Title     string              `json:"title"`
	Endpoints []CatalogueEndpoint `json:"endpoints"`
}

// CatalogueEndpoint is one method and path of a service.
type CatalogueEndpoint struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// CatalogueOwner is what the export says of the owner beyond the
// subsystems: the organisation's name and the security server's code.
type CatalogueOwner struct {
	Name       string `json:"name"`
	ServerCode string `json:"server_code"`
}

// maxCatalogueValue bounds one value of the export (a title, a URL).
const maxCatalogueValue = 2048

// CatalogueRows is the export as rows of values in the order of fields:
// one row per service, one for a subsystem without services. Every value
// is one line without control characters or bidirectional overrides.
func CatalogueRows(fields []profile.CatalogueField, owner CatalogueOwner, subs []CatalogueSubsystem) [][]string {
	var rows [][]string
	for _, s := range subs {
		svcs := s.Services
		if len(svcs) == 0 {
			svcs = []CatalogueService{{}}
		}
		for _, sv := range svcs {
			row := make([]string, len(fields))
			for i, f := range fields {
				row[i] = i18n.Line(catalogueValue(f.Source, owner, s, sv), maxCatalogueValue)
			}
			rows = append(rows, row)
		}
	}
	return rows
}

func catalogueValue(source string, o CatalogueOwner, s CatalogueSubsystem, sv CatalogueService) string {
	switch source {
	case "instance":
		return s.Instance
	case "member_class":
		return s.MemberClass
	case "member_code":
		return s.MemberCode
	case "member_name":
		return o.Name
	case "server_code":
		return o.ServerCode
	case "subsystem_code":
		return s.Code
	case "subsystem_name":
		return s.Name
	case "subsystem_status":
		return s.Status
	case "service_code":
		return sv.Code
	case "service_type":
		return sv.Type
	case "service_url":
		return sv.URL
	case "service_title":
		return sv.Title
	case "endpoints":
		var eps []string
		for _, e := range sv.Endpoints {
			eps = append(eps, strings.TrimSpace(e.Method+" "+e.Path))
		}
		return strings.Join(eps, "; ")
	}
	return ""
}

// CatalogueCSV is the export as CSV (RFC 4180, a header row of the field
// names). A value a spreadsheet would read as a formula (= + - @ first)
// gets a leading apostrophe, so opening the file runs nothing.
func CatalogueCSV(fields []profile.CatalogueField, owner CatalogueOwner, subs []CatalogueSubsystem) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	var head []string
	for _, f := range fields {
		head = append(head, f.Name)
	}
	w.Write(head)
	for _, row := range CatalogueRows(fields, owner, subs) {
		for i, v := range row {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				row[i] = "'" + v
			}
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// CatalogueJSON is the export as JSON: the schema, the Catalogue's
// address, and the rows as objects whose keys are the field names in the
// profile's order.
func CatalogueJSON(cat profile.Catalogue, owner CatalogueOwner, subs []CatalogueSubsystem) ([]byte, error) {
	var b bytes.Buffer
	head, _ := json.Marshal(map[string]string{"schema": CatalogueSchema, "catalogue_url": cat.URL})
	b.Write(head[:len(head)-1])
	b.WriteString(`,"rows":[`)
	for r, row := range CatalogueRows(cat.Fields, owner, subs) {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  {")
		for i, v := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(cat.Fields[i].Name)
			val, _ := json.Marshal(v)
			b.Write(k)
			b.WriteByte(':')
			b.Write(val)
		}
		b.WriteByte('}')
	}
	b.WriteString("\n]}\n")
	return b.Bytes(), nil
}

// WriteCatalogue writes the export (format "csv" or "json") to path,
// whole or not at all.
func WriteCatalogue(path, format string, cat profile.Catalogue, owner CatalogueOwner, subs []CatalogueSubsystem) error {
	var data []byte
	var err error
	switch format {
	case "csv":
		data, err = CatalogueCSV(cat.Fields, owner, subs)
	case "json":
		data, err = CatalogueJSON(cat, owner, subs)
	default:
		return &Error{Key: "enroll.err.catalogue_format", Data: map[string]any{"Format": format}}
	}
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return &Error{Key: "enroll.err.catalogue_write", Data: map[string]any{"File": path}, Err: err}
	}
	return nil
}
