package profile

// Values of the profile that the install plan writes into POSIX sh
// scripts run as root on the server. The plan quotes them (remote.Quote),
// and the load refuses what no real value holds, naming the field: a
// profile from elsewhere must not smuggle shell syntax past one forgotten
// quote. (Package names, versions, units, groups, URLs and the apt line
// have their own patterns in profile.go and packages.go.)

import "regexp"

// safePathRE is an absolute path of the characters real library and
// folder paths use: no spaces, quotes, $, `, ;, &, |, <, >, newlines.
var safePathRE = regexp.MustCompile(`^/[A-Za-z0-9._+/-]*$`)

// SafePath reports whether p is an absolute path of safe characters,
// without a ".." part.
func SafePath(p string) bool {
	return safePathRE.MatchString(p) && !regexp.MustCompile(`(^|/)\.\.(/|$)`).MatchString(p)
}
