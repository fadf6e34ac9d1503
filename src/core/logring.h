/* core/logring.h — log lines of ISOLATED children through shared memory (logring.c): bytes only,
 * below the log.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_LOGRING_H
#define STEADY_CORE_LOGRING_H

#include "core/base.h"

struct steady__shm;
struct steady__logrings;

/* n rings (one per ISOLATED troupe, one for the zygotes) in the graph's shared memory. */
struct steady__logrings *steady__logrings_new(struct steady__shm *m, size_t n);
/* A child's writer: one record, or a count of a dropped one when it does not fit. Under the
 * caller's process-private lock. */
void steady__logring_write(struct steady__logrings *r, size_t slot, steady_log_level level,
                           const char *line, size_t len);
/* Receives each whole record the drainer takes out of a ring. */
typedef void (*steady__logring_emit)(steady_log_level level, const char *line, size_t len);
/* The parent: hands ring slot's whole records to emit; returns how many lines were dropped
 * (the ring was full) since the last drain. Under the parent's drain lock. */
uint64_t steady__logring_drain(struct steady__logrings *r, size_t slot, steady__logring_emit emit);
/* The drainer's wait: read the bell, drain, then sleep until it moves (or stop). */
uint32_t steady__logrings_seen(struct steady__logrings *r);
void steady__logrings_sleep(struct steady__logrings *r, uint32_t seen);
bool steady__logrings_stopping(struct steady__logrings *r);
void steady__logrings_stop(struct steady__logrings *r);

#endif
