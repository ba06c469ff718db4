package consume

import (
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// unreachable applies the one policy for a cluster that cannot be reached,
// in partition and group mode alike: with ExitOnError the run stops (what
// was written is flushed first); otherwise OnUnreachable hears of it at
// most once per UnreachableWarnInterval and the clients keep retrying.
func (e *engine) unreachable(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return
	}
	if e.opts.ExitOnError {
		ferr := e.flushLocked()
		e.stopLocked(StopError, kqerr.SettingErrorf("%w: the cluster stopped answering ({exit on error}): %s",
			kqerr.ErrUnreachable, strings.Join(strings.Fields(err.Error()), " ")))
		if ferr != nil {
			e.err = ferr
		}
		return
	}
	now := time.Now()
	if e.opts.OnUnreachable != nil && now.Sub(e.lastWarn) >= UnreachableWarnInterval {
		e.lastWarn = now
		e.opts.OnUnreachable(err)
	}
}
