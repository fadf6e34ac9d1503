/* core/log.h — the log's cross-process parts (log.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_LOG_H
#define STEADY_CORE_LOG_H

#include "core/base.h"

struct steady__logrings;
/* In an ISOLATED child or a zygote: every line goes to ring `slot` (logring.c) instead of the
 * sink. Before the process starts threads. */
void steady__log_forward_to(struct steady__logrings *r, size_t slot);
/* In the parent: hands a line a child formatted to the sink (or stderr), as if logged here. */
void steady__log_emit_line(steady_log_level level, const char *line, size_t len);
/* After fork: the sink lock may have been held by a thread that does not exist here. */
void steady__log_after_fork(void);

#endif
