package checks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Schema is the JSON report's schema identifier.
const Schema = "tunduk-onboard.readiness/v1"

// Target names the machine a report is about.
type Target struct {
	Host  string `json:"host"`
	Local bool   `json:"local"`
}

// Options are the user's inputs that change how rules judge.
type Options struct {
	// PublicIP is the public address a NAT maps to the server, when the
	// server itself holds only a private one.
	PublicIP string
}

// Summary counts results by status (info results are not counted).
type Summary struct {
	Pass    int `json:"pass"`
	Warn    int `json:"warn"`
	Fail    int `json:"fail"`
	Unknown int `json:"unknown"`
}

// ProfileRef names the profile a report was judged against.
type ProfileRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Report is one readiness check of one machine.
type Report struct {
	Schema     string     `json:"schema"`
	Target     Target     `json:"target"`
	CheckedAt  time.Time  `json:"checked_at"`
	DurationMS int64      `json:"duration_ms"`
	Profile    ProfileRef `json:"profile"`
	Facts      *Facts     `json:"facts"`
	Results    []Result   `json:"results"`
	Summary    Summary    `json:"summary"`
}

// Collector gathers the facts of one machine (CollectLocal, or a closure
// over CollectRemote with an SSH client).
type Collector func(ctx context.Context) (*Facts, error)

// ErrNothingDecided is a check in which no rule could decide (every
// result unknown): not a pass, the facts the machine gave were unusable.
// Check returns it wrapped together with ErrProbeOutput.
var ErrNothingDecided = errors.New("no rule could decide from what the machine reported")

// Check collects facts, applies the profile's rules and returns the report.
// onResult, when not nil, is called with each result as it is decided, in
// order, so a UI can show rows as they come. The facts are cleaned
// (Facts.Clean) before any rule sees them. A check in which no rule could
// decide is an error (ErrProbeOutput, ErrNothingDecided), never a report
// that reads as passed.
func Check(ctx context.Context, target Target, collect Collector, p *profile.Profile, opt Options, onResult func(Result)) (*Report, error) {
	start := time.Now()
	facts, err := collect(ctx)
	if err != nil {
		return nil, err
	}
	facts.Clean()
	rep := &Report{
		Schema:    Schema,
		Target:    target,
		CheckedAt: start.UTC().Truncate(time.Second),
		Profile:   ProfileRef{Name: p.Name, Version: p.Version},
		Facts:     facts,
	}
	for _, r := range Evaluate(facts, p, opt, target.Local) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.add(r)
		if onResult != nil {
			onResult(r)
		}
	}
	rep.DurationMS = time.Since(start).Milliseconds()
	if s := rep.Summary; s.Pass+s.Warn+s.Fail == 0 {
		return nil, fmt.Errorf("%w: %w (%d unknown)", ErrProbeOutput, ErrNothingDecided, s.Unknown)
	}
	return rep, nil
}

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Status {
	case Pass:
		r.Summary.Pass++
	case Warn:
		r.Summary.Warn++
	case Fail:
		r.Summary.Fail++
	case Unknown:
		r.Summary.Unknown++
	}
}

// Add appends a result decided outside the rules (the network path the
// front end tests from the server when given an anchor) and counts it.
func (r *Report) Add(res Result) { r.add(res) }
