package enroll

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func catalogueInput() (CatalogueOwner, []CatalogueSubsystem) {
	owner := CatalogueOwner{Name: "Министерство, \"цифрового\" развития\nКР", ServerCode: "SS1"}
	subs := []CatalogueSubsystem{{
		Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001", Code: "PORTAL",
		Name: "Portal, \"main\"\r\nsecond line\x1b[31m\u202e", Status: "REGISTERED",
		Services: []CatalogueService{
			{Code: "persons", Type: "OPENAPI3", URL: "https://is.local/api", Title: "=HYPERLINK(\"http://evil\")",
				Endpoints: []CatalogueEndpoint{{Method: "GET", Path: "/persons/*"}, {Method: "POST", Path: "/persons"}}},
			{Code: "ping", Type: "REST", URL: "http://is.local/ping", Title: "Ping;\ttab"},
		},
	}, {Instance: "central-server", MemberClass: "GOV", MemberCode: "70000001", Code: "EMPTY", Name: "No services", Status: "SAVED"}}
	return owner, subs
}

func TestCatalogueCSVParsesBack(t *testing.T) {
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	owner, subs := catalogueInput()
	data, err := CatalogueCSV(p.Catalogue.Fields, owner, subs)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 { // header, two services, one subsystem without
		t.Fatalf("%d records", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	r := recs[1]
	if r[col["information_system"]] != `Portal, "main" second line` || r[col["organisation"]] != `Министерство, "цифрового" развития КР` {
		t.Fatalf("names: %q / %q", r[col["information_system"]], r[col["organisation"]])
	}
	if r[col["endpoints"]] != "GET /persons/*; POST /persons" || r[col["service_title"]] != `'=HYPERLINK("http://evil")` {
		t.Fatalf("row: %q", r)
	}
	if recs[3][col["subsystem_code"]] != "EMPTY" || recs[3][col["service_code"]] != "" {
		t.Fatalf("empty subsystem: %q", recs[3])
	}
	for _, rec := range recs {
		for _, v := range rec {
			if strings.ContainsAny(v, "\x1b\r\n\u202e") {
				t.Fatalf("unsafe value %q", v)
			}
		}
	}
}

func TestCatalogueJSONRoundTrips(t *testing.T) {
	p, _ := profile.Default()
	owner, subs := catalogueInput()
	dir := t.TempDir()
	path := filepath.Join(dir, "catalogue.json")
	if err := WriteCatalogue(path, "json", p.Catalogue, owner, subs); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var got struct {
		Schema string              `json:"schema"`
		URL    string              `json:"catalogue_url"`
		Rows   []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	rows := CatalogueRows(p.Catalogue.Fields, owner, subs)
	if got.Schema != CatalogueSchema || got.URL != p.Catalogue.URL || len(got.Rows) != len(rows) {
		t.Fatalf("%+v", got)
	}
	for i, row := range rows {
		want := map[string]string{}
		for j, f := range p.Catalogue.Fields {
			want[f.Name] = row[j]
		}
		if !reflect.DeepEqual(got.Rows[i], want) {
			t.Fatalf("row %d: %v, want %v", i, got.Rows[i], want)
		}
	}
	// The keys keep the profile's order.
	if i, j := bytes.Index(data, []byte(`"instance"`)), bytes.Index(data, []byte(`"endpoints"`)); i < 0 || j < i {
		t.Fatal("keys out of order")
	}
	if err := WriteCatalogue(path, "xml", p.Catalogue, owner, subs); err == nil {
		t.Fatal("xml accepted")
	}
	if err := WriteCatalogue(filepath.Join(dir, "none", "x.csv"), "csv", p.Catalogue, owner, subs); err == nil {
		t.Fatal("missing folder accepted")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left behind: %v", ents)
	}
}
