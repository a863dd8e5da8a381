//go:build race

package xroad_test

// raceRun: this binary is the race run's (build/test.sh), where Go code
// runs some ten times slower.
const raceRun = true
