// Package enroll makes the enrollment package a participant sends to the
// operator's certification authority (both CSRs, the readiness report, the
// participant's data and a manifest with the SHA-256 of every file), and
// delivers it: an .eml for the user's mail client, SMTP with STARTTLS, an
// HTTPS intake with an outbox that survives restarts, or a folder (a USB
// stick). A Store keeps one record per submission and its stage.
package enroll

import (
	"strconv"
	"time"
)

// Schema names the manifest format; a reader refuses any other.
const Schema = "tunduk-onboard.enrollment/v1"

// Participant is who asks for the certificates.
type Participant struct {
	Instance    string `json:"instance"`
	MemberClass string `json:"member_class"`
	MemberCode  string `json:"member_code"`
	Name        string `json:"name"`
	ServerCode  string `json:"server_code"`
	// ServerAddress is the public IP or DNS name of the security server.
	ServerAddress string `json:"server_address"`
}

// Usage is what a certificate is for.
type Usage string

// The two certificates a security server needs.
const (
	UsageAuth Usage = "auth"
	UsageSign Usage = "sign"
)

// CSR is one certificate signing request to send.
type CSR struct {
	Usage Usage
	DER   []byte
	// Source says where the key lives, e.g. "security server, software
	// token" or "Rutoken 0a1b2c3d"; the letter to the CA repeats it.
	Source string
}

// Input is everything a package is built from.
type Input struct {
	Participant Participant
	// CSRs: 1 or 2, at most one per usage; each is parsed and its
	// signature checked before anything is written.
	CSRs []CSR
	// ReportJSON is the readiness report (checks JSON v1); nil = not included.
	ReportJSON []byte
	// ReportHTML is the same report rendered; nil = not included.
	ReportHTML []byte
	// Lang (en|ru|ky) is the user's language: the letter to the CA is in
	// Russian followed by this language when it is not Russian.
	Lang string
	// Notice, when set, makes the package a notice to the operator (the
	// subsystems registered on Participant's security server) instead of
	// an application to the CA: no CSRs, no report.
	Notice *Notice
	// Follows lists the CSRs that are not ready yet and come later, as
	// the next part of the same application: the signing CSR (made on the
	// token at the user's machine) goes now, the authentication CSR once
	// the security server is installed. The letter and the manifest say
	// so, and the application is sent in parts (Store.AddPart).
	Follows []Usage
}

// File is one file of a package, as the manifest records it.
type File struct {
	Name   string `json:"name"`
	Role   string `json:"role"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest lists a package's files with their hashes.
type Manifest struct {
	Schema string `json:"schema"` // Schema
	// Kind is KindNotice for a notice to the operator; empty for an
	// application to the CA.
	Kind string `json:"kind,omitempty"`
	// ID names the package, e.g. "20261122-GOV-70000001-SS1-3f2a".
	ID          string      `json:"id"`
	Created     time.Time   `json:"created"`
	Tool        string      `json:"tool"` // internal/version
	Participant Participant `json:"participant"`
	Files       []File      `json:"files"`
	// Part numbers the packages of an application sent in parts (1, 2);
	// 0 for an application sent whole. Every part carries the
	// application's ID: the CA and the operator see one application.
	Part int `json:"part,omitempty"`
	// Follows lists the CSRs this part does not hold, which a later part
	// of the same application brings.
	Follows []Usage `json:"follows,omitempty"`
}

// Name is the package's folder name wherever it is copied to (a folder, a
// USB stick): the application's ID, with the part's number from part 2
// on, so both parts of one application can lie side by side.
func (m Manifest) Name() string {
	if m.Part > 1 {
		return m.ID + "-part" + strconv.Itoa(m.Part)
	}
	return m.ID
}

// Package is a built (or opened and verified) enrollment package.
type Package struct {
	Dir      string
	Manifest Manifest
}
