package tokens

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// LibraryKind names the family of a PKCS#11 library, so a person sees
// which one was found: a token vendor's driver (tokens/vendors: the
// Rutoken's, JaCarta's) is what the security server needs, SoftHSM2 is
// only for tests and OpenSC reads Rutokens too. A vendor's kind is its
// vendors.Vendor ID.
type LibraryKind string

// The library families told apart.
const (
	LibraryRutoken LibraryKind = "rutoken"
	LibraryJaCarta LibraryKind = "jacarta"
	LibrarySoftHSM LibraryKind = "softhsm"
	LibraryOpenSC  LibraryKind = "opensc"
	LibraryOther   LibraryKind = "other"
)

// LibraryInfo is what a PKCS#11 library says about itself (C_GetInfo),
// with the family read from that and from its file name.
type LibraryInfo struct {
	Kind         LibraryKind
	Manufacturer string // C_GetInfo manufacturerID, trimmed
	Description  string // C_GetInfo libraryDescription, trimmed
	Version      string // C_GetInfo libraryVersion, "major.minor"; "" when unknown
	File         string // the library's file name, without its folder
}

// Library returns what the module's library says about itself; C_GetInfo
// is read once, when the module is opened.
func (m *Module) Library() LibraryInfo { return m.lib }

// readLibraryInfo asks the loaded library (C_GetInfo); a library that
// does not answer is still classified by its file name.
func (m *Module) readLibraryInfo() LibraryInfo {
	li := LibraryInfo{File: filepath.Base(m.path)}
	if in, err := m.ctx.GetInfo(); err == nil {
		li.Manufacturer = trimField(in.ManufacturerID)
		li.Description = trimField(in.LibraryDescription)
		li.Version = fmt.Sprintf("%d.%d", in.LibraryVersion.Major, in.LibraryVersion.Minor)
	} else {
		p11log.WithError(err).Debug("C_GetInfo failed")
	}
	li.Kind = classifyLibrary(li.File, li.Manufacturer, li.Description)
	return li
}

// classifyLibrary tells the family from the file name and the library's
// own words: OpenSC's, else the vendor table's (vendors.Classify, where
// the words win over the name: a renamed copy of SoftHSM2 is still
// SoftHSM2).
func classifyLibrary(file, manufacturer, description string) LibraryKind {
	if strings.Contains(strings.ToLower(manufacturer+" "+description), "opensc") {
		return LibraryOpenSC
	}
	if v := vendors.Classify(file, manufacturer, description); v != "" {
		return LibraryKind(v)
	}
	if strings.Contains(strings.ToLower(file), "opensc") {
		return LibraryOpenSC
	}
	return LibraryOther
}

// Vendor is the vendors.Vendor ID of a library of a vendor's family
// ("" for OpenSC and others).
func (k LibraryKind) Vendor() string {
	if _, ok := vendors.ByID(string(k)); ok {
		return string(k)
	}
	return ""
}
