package enroll

import "errors"

// SaveToFolder copies the package to dest/<ID>/ and verifies the copy.
func SaveToFolder(p *Package, dest string) (string, error) {
	return "", errors.New("enroll: not yet built")
}
