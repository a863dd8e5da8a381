// Package assets embeds what ships inside both binaries: the operator
// profile, the translations, the remote probe script and the icon.
package assets

import "embed"

// FS holds the embedded files, with paths relative to this folder.
//
//go:embed profiles translations probe.sh icon.png
var FS embed.FS
