//go:build !race

package operation

const raceEnabled = false
