package bundle

// What both front ends (the CLI's support-bundle, the wizard's Health
// step) put in a bundle the same way: the versions, and the tails of
// X-Road's logs read from the server they hold a connection to.

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Versions is Input.Versions for a bundle made by program
// ("tunduk-onboard", "tunduk-onboard-cli"): its version, Go's and the
// OS's.
func Versions(program string) map[string]string {
	return map[string]string{program: version.String(), "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH}
}

// AddServiceLogs reads on h the tails of X-Road's logs (health.ServiceLogs
// with o: each unit's journal and each log of health.LogDir, o.Lines of
// each, at most o.MaxBytes) into in, with what could not be read in its
// notes, and adds o.SudoPassword to its secrets so that a log echoing it
// has it taken out. A sudo refusing the password is a
// *remote.SudoRefusedError whose Said has the password masked.
func AddServiceLogs(ctx context.Context, h remote.Host, o health.LogOptions, in *Input) error {
	if o.SudoPassword != "" {
		in.Secrets = append(in.Secrets, o.SudoPassword)
	}
	tails, err := health.ServiceLogs(ctx, h, o)
	if re := (*remote.SudoRefusedError)(nil); errors.As(err, &re) && o.SudoPassword != "" {
		re.Said = strings.ReplaceAll(re.Said, o.SudoPassword, "***")
	}
	if err != nil {
		return err
	}
	in.ServiceLogs, in.Notes = tails.Files, append(in.Notes, tails.Notes...)
	return nil
}
