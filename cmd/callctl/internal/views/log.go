package views

import "log/slog"

// LogHandler writes CALLCTL_LOG records to stderr, so that stdout stays the
// command's output.
func (s *Streams) LogHandler(level slog.Level) slog.Handler {
	return slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: level})
}
