//go:build race

package operation

// raceEnabled: the race detector slows the heaviest tests past their worth.
const raceEnabled = true
