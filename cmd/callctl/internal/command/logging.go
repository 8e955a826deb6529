package command

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/callctl/callctl/reconcile"
)

// logger returns the logger CALLCTL_LOG asks for (debug, info, warn or
// error), writing to stderr so that stdout stays the command's output; with
// CALLCTL_LOG unset it discards everything.
func (m *Meta) logger() (*slog.Logger, error) {
	raw := strings.ToLower(strings.TrimSpace(m.Streams.Getenv("CALLCTL_LOG")))
	if raw == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(raw)); err != nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), fmt.Errorf("CALLCTL_LOG=%q is not a log level; use debug, info, warn or error", raw)
	}
	return slog.New(m.Streams.LogHandler(level)), nil
}

// logHook logs each lookup and disconnect. It sees only calls and results,
// never credentials.
type logHook struct {
	log *slog.Logger
}

func (h logHook) PostLookup(c *reconcile.Change, err error) {
	if err != nil {
		h.log.Warn("lookup failed", "address", c.Address, "exchange", c.Exchange, "call_id", c.CallID, "error", err)
		return
	}
	h.log.Debug("looked up", "address", c.Address, "exchange", c.Exchange, "call_id", c.CallID, "state", c.State, "action", c.Action)
}

func (h logHook) PreDisconnect(c *reconcile.Change) {
	h.log.Debug("disconnecting", "address", c.Address, "exchange", c.Exchange, "call_id", c.CallID)
}

func (h logHook) PostDisconnect(r *reconcile.Result) {
	c := r.Change
	if r.Err != nil {
		h.log.Error("disconnect failed", "address", c.Address, "exchange", c.Exchange, "call_id", c.CallID, "error", r.Err)
		return
	}
	h.log.Info("disconnect finished", "address", c.Address, "exchange", c.Exchange, "call_id", c.CallID, "outcome", r.Outcome, "duration", r.Duration)
}
