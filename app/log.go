package app

import (
	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/internal/logging"
)

// log is the standard logrus logger, which internal/logging points at this
// run's file (the ssh layer logs there too).
var log = logrus.StandardLogger()

// openLog starts this run's log file and returns its path ("" when the
// file could not be made: logging then stays on stderr).
func openLog() string {
	path, _, err := logging.Setup("tunduk-onboard", false)
	if err != nil {
		log.WithError(err).Warn("no log file")
		return ""
	}
	return path
}
