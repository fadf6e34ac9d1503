/* core/error.h — errors: the detail message behind steady_last_error (error.c).
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_ERROR_H
#define STEADY_CORE_ERROR_H

#include "core/base.h"

/* Records err and a detail message for steady_last_error(); returns err. Any thread (the
 * detail is the calling thread's). */
steady_err steady__fail(steady_err err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void steady__clear_error(void);

#endif
