package xroadtest

// What the server does with a description's URL: it fetches it itself
// (real HTTP, as X-Road does) and reads the services out of it. X-Road
// 7.4.2 wsdl/WsdlParser.java and wsdl/OpenApiParser.java (under
// src/security-server/admin-service/application/src/main/java/org/niis/xroad/securityserver/restapi/).

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// maxDescription: both parsers' MAX_DESCRIPTION_SIZE, 10 MiB.
const maxDescription = 10 << 20

// fetchErr is a download that failed, parseErr a document that did not
// parse; each carries the parser's message.
type fetchErr struct{ msg string }
type parseErr struct{ msg string }

func (e fetchErr) Error() string { return e.msg }
func (e parseErr) Error() string { return e.msg }

// fetch reads u as the parsers do: http or https only (OpenApiParser
// allowProtocol), at most maxDescription. guess: 10 s is enough of a
// timeout (HttpUrlConnectionConfig.java sets X-Road's own).
func fetch(u string) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") {
		return nil, fetchErr{"Invalid protocol: " + u}
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(u)
	if err != nil {
		return nil, fetchErr{err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fetchErr{"Server returned HTTP response code: " + fmt.Sprint(resp.StatusCode)}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDescription+1))
	if err != nil {
		return nil, fetchErr{err.Error()}
	}
	if len(b) > maxDescription {
		return nil, fetchErr{"Size exceeds 10485760 bytes."}
	}
	return b, nil
}

// wsdlService is WsdlParser.ServiceInfo.
type wsdlService struct{ name, title, url, version string }

const (
	soapNS     = "http://schemas.xmlsoap.org/wsdl/soap/"
	soap12NS   = "http://schemas.xmlsoap.org/wsdl/soap12/"
	soapHTTP   = "http://schemas.xmlsoap.org/soap/http"
	xroadXSDNS = "http://x-road.eu/xsd/xroad.xsd"
)

type wsdlDoc struct {
	XMLName   xml.Name `xml:"http://schemas.xmlsoap.org/wsdl/ definitions"`
	PortTypes []struct {
		Ops []struct {
			Name string `xml:"name,attr"`
			Doc  struct {
				Title string `xml:"http://x-road.eu/xsd/xroad.xsd title"`
			} `xml:"http://schemas.xmlsoap.org/wsdl/ documentation"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ portType"`
	Bindings []struct {
		Name string `xml:"name,attr"`
		Soap []struct {
			XMLName   xml.Name
			Transport string `xml:"transport,attr"`
		} `xml:",any"`
		Ops []struct {
			Name    string `xml:"name,attr"`
			Version string `xml:"http://x-road.eu/xsd/xroad.xsd version"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ binding"`
	Services []struct {
		Ports []struct {
			Binding string `xml:"binding,attr"`
			Addr    []struct {
				XMLName  xml.Name
				Location string `xml:"location,attr"`
			} `xml:",any"`
		} `xml:"http://schemas.xmlsoap.org/wsdl/ port"`
	} `xml:"http://schemas.xmlsoap.org/wsdl/ service"`
}

// parseWSDL is WsdlParser.internalParseWSDL: the operations of every
// port whose binding is SOAP over HTTP, each with the port's address,
// its xroad:version and its xroad:title; keyed by name+version.
func parseWSDL(b []byte) ([]wsdlService, error) {
	var d wsdlDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		return nil, parseErr{err.Error()}
	}
	titles := map[string]string{}
	for _, pt := range d.PortTypes {
		for _, op := range pt.Ops {
			titles[op.Name] = strings.TrimSpace(op.Doc.Title)
		}
	}
	var out []wsdlService
	seen := map[string]bool{}
	for _, svc := range d.Services {
		for _, p := range svc.Ports {
			_, bname, _ := strings.Cut(p.Binding, ":")
			if bname == "" {
				bname = p.Binding
			}
			addr := ""
			for _, a := range p.Addr {
				if a.XMLName.Local == "address" && (a.XMLName.Space == soapNS || a.XMLName.Space == soap12NS) {
					addr = a.Location
				}
			}
			for _, bd := range d.Bindings {
				if bd.Name != bname || !soapOverHTTP(bd.Soap) {
					continue
				}
				for _, op := range bd.Ops {
					key := op.Name + op.Version
					if !seen[key] {
						seen[key] = true
						out = append(out, wsdlService{op.Name, titles[op.Name], addr, strings.TrimSpace(op.Version)})
					}
				}
			}
		}
	}
	return out, nil
}

func soapOverHTTP(exts []struct {
	XMLName   xml.Name
	Transport string `xml:"transport,attr"`
}) bool {
	for _, e := range exts {
		if e.XMLName.Local == "binding" && (e.XMLName.Space == soapNS || e.XMLName.Space == soap12NS) {
			return e.Transport == soapHTTP
		}
	}
	return false
}

// openapiOp is OpenApiParser.Operation.
type openapiOp struct{ method, path string }

var pathParam = regexp.MustCompile(`\{[^/]*}`)

// parseOpenAPI is OpenApiParser.parse after the download: the version
// (3.0.x or 3.1.0, else unsupported), the base URL (the first server's,
// resolved against the description's URL unless it holds a parameter),
// and every operation with its path's parameters made "*".
func parseOpenAPI(u string, b []byte) (string, []openapiOp, error) {
	var doc struct {
		OpenAPI string `yaml:"openapi"`
		Servers []struct {
			URL string `yaml:"url"`
		} `yaml:"servers"`
		// A node, not a map: swagger-parser keeps the paths in the
		// file's order (a LinkedHashMap), and so do the endpoints
		// X-Road lists; a Go map would shuffle them on every run.
		Paths yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return "", nil, parseErr{"Unable to parse OpenAPI description from " + u}
	}
	if doc.OpenAPI != "" && !strings.HasPrefix(doc.OpenAPI, "3.0") && doc.OpenAPI != "3.1.0" {
		return "", nil, versionErr{}
	}
	if doc.OpenAPI == "" {
		// OpenAPIV3Parser gives no OpenAPI object: validate() fails.
		return "", nil, parseErr{"Unable to parse OpenAPI description from " + u}
	}
	base := ""
	if len(doc.Servers) > 0 {
		base = doc.Servers[0].URL
	}
	if !strings.Contains(base, "{") {
		du, _ := url.Parse(u)
		if ref, err := url.Parse(base); err == nil {
			base = du.ResolveReference(ref).String()
		}
	}
	var ops []openapiOp
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	for i := 0; i+1 < len(doc.Paths.Content); i += 2 {
		p := doc.Paths.Content[i].Value
		var item map[string]any
		if err := doc.Paths.Content[i+1].Decode(&item); err != nil {
			return "", nil, parseErr{"Unable to parse OpenAPI description from " + u}
		}
		for _, m := range methods {
			if _, ok := item[m]; ok {
				ops = append(ops, openapiOp{strings.ToUpper(m), pathParam.ReplaceAllString(p, "*")})
			}
		}
	}
	return base, ops, nil
}

type versionErr struct{}

func (versionErr) Error() string { return "OpenAPI version not supported" }
