/* core/overflow.h — naming an actor whose stack overflowed (overflow.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_OVERFLOW_H
#define STEADY_CORE_OVERFLOW_H

#include "core/base.h"

/* Stack-overflow naming (overflow.c): per troupe thread, around its loop. */
void steady__overflow_thread_init(steady_troupe *t);
void steady__overflow_thread_fini(void);
/* In an ISOLATED child: fatal signals back to their default action (ours names overflows). */
void steady__overflow_after_fork(void);

#endif
