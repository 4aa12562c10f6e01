// The persistent thread pool behind `Parallel` (LinearAlgebra). See include/ThreadPool.h.

#include "ThreadPool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#define MFLD_X86 1
#endif

// MARK: - Thread pool
//
// Persistent workers wait for a job by generation number: they spin for a while, then sleep on a
// condition variable. A job is open until the caller has run out of indices; a worker joins only
// while it is open (it announces itself in `inflight` first, then checks, all sequentially
// consistent), and the caller waits for the workers that joined. So a descheduled worker never holds
// the caller up, and the job's fields stay valid while any worker can read them.

enum { MAX_WORKERS = 63, SPINS = 20000 };

static struct {
  pthread_mutex_t job, sleep;
  pthread_cond_t wake;
  atomic_long generation;
  atomic_int closed, inflight, sleepers;
  mfld_task task;
  void *context;
  ptrdiff_t count;
  int participants, started;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static inline void relax(void) {
#if MFLD_X86
  __builtin_ia32_pause();
#endif
}

/// Participant p runs indices p, p + P, p + 2P, … (the same ones job after job, so a loop over the
/// same rows finds them in the same core's cache), taking them through its own cursor, on its own
/// cache line; then it helps the others through theirs (so a participant that is late or descheduled
/// holds nobody up). Without stealing, a job touches no shared cache line but the job's own fields.
// The cancellation state: one atomic word, so that a request and a commit cannot interleave.
enum { CANCEL_IDLE, CANCEL_ARMED, CANCEL_REQUESTED, CANCEL_COMMITTED };
static atomic_int cancel_state;
static int cancel_swap(int from, int to) { return atomic_compare_exchange_strong(&cancel_state, &from, to); }
void mfld_cancel_arm(int armed) {
  if (armed) { atomic_store(&cancel_state, CANCEL_ARMED); return; }
  if (!cancel_swap(CANCEL_ARMED, CANCEL_IDLE)) cancel_swap(CANCEL_COMMITTED, CANCEL_IDLE);  // a request stays until reset
}
void mfld_cancel_request(void) { cancel_swap(CANCEL_ARMED, CANCEL_REQUESTED); }
int mfld_cancel_requested(void) { return atomic_load_explicit(&cancel_state, memory_order_relaxed) == CANCEL_REQUESTED; }
void mfld_cancel_reset(void) { cancel_swap(CANCEL_REQUESTED, CANCEL_IDLE); }
int mfld_cancel_commit(void) {
  if (cancel_swap(CANCEL_ARMED, CANCEL_COMMITTED)) return 0;
  return atomic_load(&cancel_state) == CANCEL_REQUESTED;
}

typedef struct { _Alignas(64) atomic_long next; } cursor;
static cursor cursors[MAX_WORKERS + 1];

static void run_indices(int participant) {
  const ptrdiff_t count = pool.count;
  const int P = pool.participants;
  for (int o = 0; o < P; o++) {
    const int q = (participant + o) % P;
    for (;;) {
      const ptrdiff_t i = q + (ptrdiff_t)atomic_fetch_add(&cursors[q].next, 1) * P;
      if (i >= count) break;
      if (!mfld_cancel_requested()) pool.task(pool.context, i);
    }
  }
}

static void *pool_worker(void *argument) {
  const int id = (int)(intptr_t)argument;
  long seen = atomic_load(&pool.generation);
  for (;;) {
    long g;
    int spins = 0;
    while ((g = atomic_load(&pool.generation)) == seen) {
      if (++spins < SPINS) { relax(); continue; }
      pthread_mutex_lock(&pool.sleep);
      atomic_fetch_add(&pool.sleepers, 1);
      while (atomic_load(&pool.generation) == seen) pthread_cond_wait(&pool.wake, &pool.sleep);
      atomic_fetch_sub(&pool.sleepers, 1);
      pthread_mutex_unlock(&pool.sleep);
    }
    seen = g;
    atomic_fetch_add(&pool.inflight, 1);
    if (!atomic_load(&pool.closed) && atomic_load(&pool.generation) == g && id < pool.participants) run_indices(id);
    atomic_fetch_sub(&pool.inflight, 1);
  }
  return NULL;
}

static _Atomic(mfld_parallel_for_function) forwarded = NULL;

void mfld_set_parallel_for(mfld_parallel_for_function function) { atomic_store(&forwarded, function); }

void mfld_parallel_for(int threads, ptrdiff_t count, mfld_task task, void *context) {
  mfld_parallel_for_function forward = atomic_load(&forwarded);
  if (forward && forward != mfld_parallel_for) {
    forward(threads, count, task, context);
    return;
  }
  if (threads <= 1 || count <= 1 || pthread_mutex_trylock(&pool.job) != 0) {
    for (ptrdiff_t i = 0; i < count && !mfld_cancel_requested(); i++) task(context, i);
    return;
  }
  const int wanted = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
  while (pool.started < wanted) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    const int failed = pthread_create(&thread, &attributes, pool_worker, (void *)(intptr_t)(pool.started + 1));
    pthread_attr_destroy(&attributes);
    if (failed) break;  // fewer workers: the caller still runs every index
    pool.started++;
  }
  pool.task = task;
  pool.context = context;
  pool.count = count;
  pool.participants = wanted + 1;
  for (int q = 0; q <= wanted; q++) atomic_store_explicit(&cursors[q].next, 0, memory_order_relaxed);
  atomic_store(&pool.closed, 0);
  atomic_fetch_add(&pool.generation, 1);
  if (atomic_load(&pool.sleepers) > 0) {
    pthread_mutex_lock(&pool.sleep);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep);
  }
  run_indices(0);
  atomic_store(&pool.closed, 1);
  while (atomic_load(&pool.inflight) > 0) relax();
  pthread_mutex_unlock(&pool.job);
}

