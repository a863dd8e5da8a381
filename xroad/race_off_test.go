//go:build !race

package xroad_test

const raceRun = false
