package main

import "fmt"

// targetCalibrationRatio bounds a latency-bound run, policy load left out,
// against the calibration line (bare net/http at the same latency and
// parallelism) for the same number of requests.
const targetCalibrationRatio = 1.05

// calibrationRatios sets f's ratios to the calibration line, with and
// without the policy load, and prints them. The floor ratio mixes what
// callctl adds with what this machine adds to any client; this one
// isolates callctl's part.
func (b *bench) calibrationRatios(name string, f *figure, requestsPerCall int) {
	cal := b.out.rep.Calibration
	if cal == nil || cal.Seconds == 0 || cal.Calls == 0 {
		return
	}
	line := cal.Seconds * float64(f.Calls*requestsPerCall) / float64(cal.Calls)
	f.CalibrationRatio = f.Seconds / line
	f.CalibrationRatioNoLoad = (f.Seconds - f.LoadSeconds) / line
	note := ""
	if !b.o.faulty() && f.CalibrationRatioNoLoad > targetCalibrationRatio {
		note = b.out.missed(name+" over calibration", fmt.Sprintf("ratio without load %.2f > %.2f", f.CalibrationRatioNoLoad, targetCalibrationRatio))
	}
	b.out.linef("%s over calibration: ratio %.2f without policy load (target <= %.2f), %.2f with it (load %.3fs)%s",
		name, f.CalibrationRatioNoLoad, targetCalibrationRatio, f.CalibrationRatio, f.LoadSeconds, note)
}
