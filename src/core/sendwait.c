/* core/sendwait.c — the waiting send and take (steady/wait.h): the slow paths.
 *
 * The inline fast path tried once and found the channel full (or empty); the await calls wait
 * for one slot (one element) with steady_wait and return STEADY_OK, and the inline caller tries
 * again with its own (constant-size, inlined) copy. A wait's READY means "room for 1" at the
 * moment it was evaluated, and only this actor can use that room, so the retry succeeds; the
 * callers loop anyway, which costs nothing. Close and shutdown end the call with the wait's
 * reason as an error code; nothing moved then (the slices: what had moved is reported).
 */
#include "core/internal.h"

#include "steady/wait.h"

/* Only the actor running on this thread may wait: the caller's `a` must be it. */
steady_err steady__check_waiter(const steady_actor *a, const char *op)
{
    if (a && a == steady__self)
        return STEADY_OK;
    if (steady__self)
        return steady__misuse(STEADY_ENOTOWNER,
                              "%s called with %s; pass the steady_actor * your run function "
                              "was given",
                              op, a ? "another actor's handle" : "a NULL actor");
    return steady__misuse(STEADY_ENOTOWNER,
                          "%s would wait, but was called outside an actor; only actors wait "
                          "(from another thread use try_send / try_take)",
                          op);
}

static steady_err reason_error(steady_reason r)
{
    switch (r) {
    case STEADY_READY: return STEADY_OK;
    case STEADY_CLOSED: return STEADY_ECLOSED;
    case STEADY_SHUTDOWN:
    case STEADY_TIMEOUT: break; /* no timeout is asked for: an interruption all the same */
    }
    return STEADY_ESHUTDOWN;
}

steady_err steady__tx_await_room(steady_actor *a, steady_tx *tx)
{
    steady_err e = steady__check_waiter(a, "steady_tx_send_wait");
    return e == STEADY_OK ? reason_error(steady_wait_one(a, steady_cond_vacant(tx, 1))) : e;
}

steady_err steady__rx_await_data(steady_actor *a, steady_rx *rx)
{
    steady_err e = steady__check_waiter(a, "steady_rx_take_wait");
    return e == STEADY_OK ? reason_error(steady_wait_one(a, steady_cond_avail(rx, 1))) : e;
}

steady_err steady_tx_send_slice_wait(steady_actor *a, steady_tx *tx, const void *src, size_t n,
                                     size_t *sent)
{
    size_t done = 0;
    steady_err e = STEADY_OK;
    if (n && !src)
        e = steady__misuse(STEADY_EINVAL,
                           "steady_tx_send_slice_wait: src is NULL with n = %zu; "
                           "pass the elements to send",
                           n);
    if (e == STEADY_OK && n && !steady__tx_open(tx))
        e = steady__tx_stopped(tx, "send_slice_wait");
    if (e == STEADY_OK && n) {
        const unsigned char *p = src;
        size_t size = tx->elem_size;
        while (done < n) {
            done += steady_tx_send_slice(tx, p + done * size, n - done);
            if (done == n)
                break;
            if ((e = steady__check_waiter(a, "steady_tx_send_slice_wait")) != STEADY_OK)
                break;
            if ((e = reason_error(steady_wait_one(a, steady_cond_vacant(tx, 1)))) != STEADY_OK)
                break;
        }
    }
    if (sent)
        *sent = done;
    return e;
}

steady_err steady_rx_take_slice_wait(steady_actor *a, steady_rx *rx, void *dst, size_t max,
                                     size_t *got)
{
    size_t done = 0;
    steady_err e = STEADY_OK;
    if (max && !dst)
        e = steady__misuse(STEADY_EINVAL,
                           "steady_rx_take_slice_wait: dst is NULL with max = "
                           "%zu; pass a buffer of max elements",
                           max);
    if (e == STEADY_OK && max && !steady__rx_open(rx))
        e = steady__rx_stopped(rx, "take_slice_wait");
    if (e == STEADY_OK && max) {
        while ((done = steady_rx_take_slice(rx, dst, max)) == 0) {
            if ((e = steady__check_waiter(a, "steady_rx_take_slice_wait")) != STEADY_OK)
                break;
            if ((e = reason_error(steady_wait_one(a, steady_cond_avail(rx, 1)))) != STEADY_OK)
                break;
        }
    }
    if (got)
        *got = done;
    return e;
}
