package command

import (
	"context"
	"sync/atomic"

	"github.com/callctl/callctl/cmd/callctl/internal/arguments"
	"github.com/callctl/callctl/cmd/callctl/internal/version"
	"github.com/callctl/callctl/internal/memtune"
	"github.com/callctl/callctl/operation"
	"github.com/callctl/callctl/reconcile"
)

// request builds the backend request from the flags plan and apply share.
func (m *Meta) request(args *arguments.Operation) operation.Request {
	return operation.Request{
		Dir:            m.Dir,
		Vars:           args.Vars.Vars,
		VarFiles:       args.Vars.VarFiles,
		VarArgs:        args.Vars.Args,
		Environ:        m.Streams.Environ,
		Targets:        args.Targets,
		Excludes:       args.Excludes,
		Connect:        args.ConnectOptions(),
		MaxDisconnects: args.MaxDisconnects,
		NotFound:       reconcile.NotFoundPolicy(args.NotFound),
		Deadline:       args.Deadline,
		Hooks:          []reconcile.Hook{logHook{m.Log}},
		Version:        version.Version,
		Memory:         m.memoryTuning(),
	}
}

// exitCode maps an operation's status to the documented exit code.
func exitCode(s operation.Status) int {
	switch s {
	case operation.StatusOK:
		return ExitOK
	case operation.StatusPartial:
		return ExitPartial
	case operation.StatusDeclined:
		return ExitDeclined
	default:
		return ExitError
	}
}

// Interrupts are the two stages of interruption, made from signals in
// main: Stop is done at the first (start nothing new), Hard at the second
// (abandon what is in flight). Tests cancel them directly.
type Interrupts struct {
	Stop, Hard context.Context
	// Reload, when set, carries SIGHUP to a watch that wants it (see
	// Reload.Want); otherwise SIGHUP interrupts like SIGINT.
	Reload *Reload
}

// Reload hands SIGHUP to apply -watch, which starts its next cycle at
// once, instead of interrupting the run.
type Reload struct {
	C      chan struct{} // buffered: one pending reload is enough
	wanted atomic.Bool
}

// Want makes SIGHUP a reload from now on.
func (r *Reload) Want() { r.wanted.Store(true) }

// Wanted reports whether SIGHUP is a reload.
func (r *Reload) Wanted() bool { return r != nil && r.wanted.Load() }

// Send queues a reload, unless one is already pending.
func (r *Reload) Send() {
	select {
	case r.C <- struct{}{}:
	default:
	}
}

func (in Interrupts) orBackground() Interrupts {
	if in.Stop == nil {
		in.Stop = context.Background()
	}
	if in.Hard == nil {
		in.Hard = context.Background()
	}
	return in
}

// memoryTuning is the program's decision on the garbage collector: the
// measured tuning (internal/memtune), unless the user chose GOGC.
func (m *Meta) memoryTuning() operation.MemoryTuning {
	if m.Streams.Getenv("GOGC") != "" {
		return nil
	}
	return memtune.New()
}
