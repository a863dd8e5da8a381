package xroadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// SampleWSDL is a document/literal WSDL of an information system at
// address with two X-Road operations (getPerson v1, listPeople v1), the
// shape X-Road's own test WSDLs have (xroad:version in the binding,
// xroad:title in the port type's documentation).
func SampleWSDL(address string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:tns="http://is.example.kg/people" xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://is.example.kg/people" name="people">
 <wsdl:types><xs:schema targetNamespace="http://is.example.kg/people" elementFormDefault="qualified">
  <xs:element name="getPerson" type="xs:string"/><xs:element name="getPersonResponse" type="xs:string"/>
  <xs:element name="listPeople" type="xs:string"/><xs:element name="listPeopleResponse" type="xs:string"/>
 </xs:schema></wsdl:types>
 <wsdl:message name="getPerson"><wsdl:part name="body" element="tns:getPerson"/></wsdl:message>
 <wsdl:message name="getPersonResponse"><wsdl:part name="body" element="tns:getPersonResponse"/></wsdl:message>
 <wsdl:message name="listPeople"><wsdl:part name="body" element="tns:listPeople"/></wsdl:message>
 <wsdl:message name="listPeopleResponse"><wsdl:part name="body" element="tns:listPeopleResponse"/></wsdl:message>
 <wsdl:portType name="PeoplePort">
  <wsdl:operation name="getPerson"><wsdl:documentation><xrd:title>Person by PIN</xrd:title></wsdl:documentation>
   <wsdl:input message="tns:getPerson"/><wsdl:output message="tns:getPersonResponse"/></wsdl:operation>
  <wsdl:operation name="listPeople"><wsdl:input message="tns:listPeople"/><wsdl:output message="tns:listPeopleResponse"/></wsdl:operation>
 </wsdl:portType>
 <wsdl:binding name="PeopleBinding" type="tns:PeoplePort">
  <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="getPerson"><soap:operation soapAction=""/><xrd:version>v1</xrd:version>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="listPeople"><soap:operation soapAction=""/><xrd:version>v1</xrd:version>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
 </wsdl:binding>
 <wsdl:service name="PeopleService"><wsdl:port name="PeoplePort" binding="tns:PeopleBinding">
  <soap:address location="` + address + `"/></wsdl:port></wsdl:service>
</wsdl:definitions>`
}

// SampleOpenAPI is an OpenAPI 3.0 description of a REST service at base
// with two operations, one with a path parameter.
func SampleOpenAPI(base string) string {
	return strings.ReplaceAll(`openapi: 3.0.3
info: {title: People, version: "1"}
servers: [{url: "BASE"}]
paths:
  /people:
    get: {responses: {"200": {description: ok}}}
  /people/{pin}:
    get:
      parameters: [{name: pin, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
`, "BASE", base)
}

// Descriptions serves path -> body over real HTTP on loopback until t
// ends: the information system's WSDL and OpenAPI files, fetched by the
// fake as a security server fetches them.
func Descriptions(t testing.TB, docs map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// ISCert is an information system's self-signed TLS certificate (DER),
// an RSA 2048 key, for a client's TLS certificates.
func ISCert(t testing.TB) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "is.example.kg"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
