/* steady/error.h — the one error enum, its strings, and the per-thread detail message.
 *
 * Every fallible call returns a steady_err; 0 (STEADY_OK) is success. When a call fails,
 * steady_last_error() returns a sentence that names the graph object involved (actor,
 * channel) and the fix. The detail is thread-local: read it on the thread that made the call.
 */
#ifndef STEADY_ERROR_H
#define STEADY_ERROR_H

#if defined(STEADY_BUILDING)
#define STEADY_API __attribute__((visibility("default")))
#else
#define STEADY_API
#endif

/* Private: the C11 spellings the headers use, and their C++ equivalents (the headers are
 * usable from C++17; see docs/reference/cplusplus.md). */
#ifdef __cplusplus
#if __cplusplus < 201703L
#error "steady's headers need C++17 or later (-std=c++17)"
#endif
#define STEADY__STATIC_ASSERT static_assert
#define STEADY__NORETURN [[noreturn]]
#else
#define STEADY__STATIC_ASSERT _Static_assert
#define STEADY__NORETURN _Noreturn
#endif

#define STEADY_VERSION_MAJOR 0
#define STEADY_VERSION_MINOR 1
#define STEADY_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

typedef enum steady_err {
    STEADY_OK = 0,
    STEADY_EINVAL,    /* an argument is invalid (NULL, capacity 0, empty name, ...) */
    STEADY_ENOMEM,    /* an allocation failed */
    STEADY_ESTATE,    /* the graph is in the wrong lifecycle state for this call */
    STEADY_EEXIST,    /* a name is already taken (duplicate actor name) */
    STEADY_EUNBOUND,  /* a channel end was never given to an actor */
    STEADY_EBOUND,    /* a channel end was given to two actors */
    STEADY_ENOTOWNER, /* an actor used a channel end it does not own */
    STEADY_EFULL,     /* try_send on a full channel: the message stays with the caller */
    STEADY_EEMPTY,    /* try_take/try_peek on an empty channel */
    STEADY_ECLOSED,   /* the channel is closed (and, for a receiver, drained) */
    STEADY_EUNCLEAN,  /* the graph stopped with actors still vetoing shutdown */
    STEADY_ESYS,      /* a system call failed; the detail names it and errno */
    STEADY_EDEGRADED, /* the graph stopped, but an actor of it had been stopped for good (or
                         never started): it ran degraded; the detail names each such actor */
    STEADY_ESHUTDOWN, /* a waiting send or take (steady_tx_send_wait, ...) ended because shutdown
                         was requested: nothing moved; re-check the veto, then call it again */
} steady_err;

/* Static English text for an error code; never NULL. Thread-safe. */
STEADY_API const char *steady_strerror(steady_err err);

/* The calling thread's detail message for its last failed call that writes one ("" if none):
 * constructors, start, stop and misuse. The inline channel fast paths return EFULL / EEMPTY /
 * ECLOSED without a detail. Successful calls do not clear it: read it only after a failure.
 * The text stays valid until the next failing steady call on this thread. */
STEADY_API const char *steady_last_error(void);

/* For libraries built on steady (telemetry, bridges, a user's own): records a detail for
 * steady_last_error() on the calling thread, formatted as printf does (fmt NULL: an empty
 * detail), and returns err, so a failing call ends with `return steady_error_set(...)`. */
STEADY_API steady_err steady_error_set(steady_err err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
