package tokens

import (
	"fmt"
	"path/filepath"
	"strings"
)

// LibraryKind names the family of a PKCS#11 library, so a person sees
// which one was found: the Rutoken driver is what the security server
// needs, SoftHSM2 is only for tests and OpenSC reads Rutokens too.
type LibraryKind string

// The library families told apart.
const (
	LibraryRutoken LibraryKind = "rutoken"
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
// own words. The words win over the name: a renamed copy of SoftHSM2 is
// still SoftHSM2. Aktiv ships the Rutoken driver as librtpkcs11ecp
// (rtpkcs11ecp.dll, rtpkcs11ecp.framework).
func classifyLibrary(file, manufacturer, description string) LibraryKind {
	words := strings.ToLower(manufacturer + " " + description)
	name := strings.ToLower(file)
	switch {
	case strings.Contains(words, "softhsm"):
		return LibrarySoftHSM
	case strings.Contains(words, "opensc"):
		return LibraryOpenSC
	case strings.Contains(words, "aktiv") || strings.Contains(words, "rutoken"):
		return LibraryRutoken
	case strings.Contains(name, "rtpkcs11"):
		return LibraryRutoken
	case strings.Contains(name, "softhsm"):
		return LibrarySoftHSM
	case strings.Contains(name, "opensc"):
		return LibraryOpenSC
	}
	return LibraryOther
}
