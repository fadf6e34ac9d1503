/* core/error.c — error strings and the per-thread detail message.
 *
 * The detail lives in a thread-local buffer: a failed call writes it, steady_last_error() reads
 * it on the same thread. Messages name the object (actor, channel) and the fix.
 */
#include "core/internal.h"

#include <stdio.h>

static _Thread_local char last_error[512];

const char *steady_strerror(steady_err err)
{
    switch (err) {
    case STEADY_OK: return "success";
    case STEADY_EINVAL: return "invalid argument";
    case STEADY_ENOMEM: return "out of memory";
    case STEADY_ESTATE: return "wrong graph state for this call";
    case STEADY_EEXIST: return "name already taken";
    case STEADY_EUNBOUND: return "channel end not given to any actor";
    case STEADY_EBOUND: return "channel end given to two actors";
    case STEADY_ENOTOWNER:
        return "not the owner: a channel end or an actor-only call used from the wrong thread";
    case STEADY_EFULL: return "channel full";
    case STEADY_EEMPTY: return "channel empty";
    case STEADY_ECLOSED: return "channel closed";
    case STEADY_EUNCLEAN: return "graph stopped uncleanly";
    case STEADY_ESYS: return "system call failed";
    case STEADY_EDEGRADED: return "graph stopped degraded: an actor or a message was lost";
    case STEADY_ESHUTDOWN: return "shutdown requested: the waiting call ended without moving";
    }
    return "unknown error";
}

const char *steady_last_error(void)
{
    return last_error;
}

steady_err steady__fail(steady_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return err;
}

steady_err steady_error_set(steady_err err, const char *fmt, ...)
{
    if (!fmt) {
        last_error[0] = '\0';
        return err;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return err;
}

void steady__clear_error(void)
{
    last_error[0] = '\0';
}
