#ifndef MFLD_THREAD_POOL_H
#define MFLD_THREAD_POOL_H

/// The one thread pool of `mfld`: persistent workers that `Parallel` (LinearAlgebra) hands chunks of
/// particle loops and of dense products. It never decides how work is cut — the caller's chunks depend
/// on the problem size only — so results do not depend on the number of threads.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A task of `mfld_parallel_for`: called once per index.
typedef void (*mfld_task)(void *context, ptrdiff_t index);

/// Calls task(context, i) for every i in [0, count) on up to `threads` threads (the caller included)
/// and returns when all calls have returned. Thread p prefers indices p, p + threads, … (cache
/// locality across repeated jobs) and takes over others' unclaimed ones; a task must not depend on
/// which thread runs it. The workers are persistent and spin briefly between jobs, so a job
/// costs about a microsecond to start: fine-grained loops (a matrix–vector product) split profitably.
/// One job runs at a time; a call made while another runs (from a task, or from another thread)
/// runs its indices serially on the calling thread.
void mfld_parallel_for(int threads, ptrdiff_t count, mfld_task task, void *context);

/// A `mfld_parallel_for` to forward to, or NULL (the default) to run this library's own pool. A plugin,
/// which links its own copy of these kernels, forwards to the host's pool (given at registration), so a
/// process has one pool however many plugins it loads.
typedef void (*mfld_parallel_for_function)(int threads, ptrdiff_t count, mfld_task task, void *context);
void mfld_set_parallel_for(mfld_parallel_for_function function);

/// Cancelling a long step part-way (SIGINT/SIGTERM): while armed, `mfld_cancel_request` (async-signal-safe)
/// makes every job skip the indices it has not started, so the step returns within a chunk's time with
/// results its caller must discard (it restores the state from before the step). Not armed, a request
/// does nothing: a step nobody can undo runs to its end.
void mfld_cancel_arm(int armed);
void mfld_cancel_request(void);
int mfld_cancel_requested(void);
void mfld_cancel_reset(void);
/// The step is about to change what a cut would have to restore (its particles): returns 1 when a request
/// already cut it (the caller must return without changing them), else 0, and a later request then waits
/// for the step's end (the loops run in full). One atomic state — idle, armed, requested, committed — so a
/// request racing the commit lands on one side of it.
int mfld_cancel_commit(void);

#ifdef __cplusplus
}
#endif

#endif
