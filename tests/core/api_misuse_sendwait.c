/*
 * api_misuse_sendwait.c: rows of the misuse table for the waiting send and take (steady/wait.h)
 * and the calls only the typed layer has (steady/typed.h); see api_misuse.h. The behaviour when
 * the calls are used well (waiting, close, shutdown, troupes, ISOLATED) is sendwait_test.c's.
 */
#include "api_misuse.h"

#include <stdint.h>
#include <stdio.h>

static uint64_t wbuf[4];
static uint64_t wone = 1;

/* ---- the inline fast paths: the try call's checks, and `a` read only when waiting ---------- */

static uint64_t call_send_wait(void *tx)
{
    return steady_tx_send_wait(NULL, tx, &wone) == STEADY_OK;
}
static uint64_t call_take_wait(void *rx)
{
    return steady_rx_take_wait(NULL, rx, wbuf) == STEADY_OK;
}

/* Fills "mine" (capacity 4), then sends once more with a NULL actor: the call must wait. */
static const char *send_wait_full_null_actor(steady_actor *a, fx *f)
{
    (void)a;
    while (u64ch_tx_try_send(f->tx, 7) == STEADY_OK) {
    }
    steady_tx_send_wait(NULL, f->tx.raw, &wone);
    return "went on";
}
static const char *take_wait_empty_other_actor(steady_actor *a, fx *f)
{
    (void)a;
    steady_rx_take_wait(f->other, f->rx.raw, wbuf);
    return "went on";
}
static const char *take_wait_null_buffer(steady_actor *a, fx *f)
{
    steady_rx_take_wait(a, f->rx.raw, NULL);
    return "went on";
}

static void row_steady_tx_send_wait(void **state)
{
    (void)state;
    check_end_call("try_send", false, call_send_wait, AFTER_CLOSE | AFTER_STOP);
    EXPECT_TEXT(in_actor(send_wait_full_null_actor), "called with a NULL actor");
}

static void row_steady_rx_take_wait(void **state)
{
    (void)state;
    check_end_call("try_take", true, call_take_wait, AFTER_CLOSE | AFTER_STOP);
    EXPECT_TEXT(in_actor(take_wait_empty_other_actor), "called with another actor's handle");
    EXPECT_TEXT(in_actor(take_wait_null_buffer), "try_take: elem is NULL");
}

/* ---- the slow paths, called directly ------------------------------------------------------- */

static void row_steady__tx_await_room(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL); /* never started: a plain thread may use the ends, but never waits */
    EXPECT_ERR(steady__tx_await_room(NULL, f.tx.raw), STEADY_ENOTOWNER,
               "steady_tx_send_wait would wait, but was called outside an actor");
    EXPECT_ERR(steady__tx_await_room(f.probe, f.tx.raw), STEADY_ENOTOWNER, "only actors wait");
    EXPECT_ERR(steady__tx_await_room(f.probe, NULL), STEADY_ENOTOWNER, "only actors wait");
    steady_graph_free(f.g);
}

static void row_steady__rx_await_data(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady__rx_await_data(NULL, f.rx.raw), STEADY_ENOTOWNER,
               "steady_rx_take_wait would wait");
    EXPECT_ERR(steady__rx_await_data(f.probe, f.rx.raw), STEADY_ENOTOWNER, "only actors wait");
    steady_graph_free(f.g);
    wbuf[0] = 99; /* a raw take_wait that cannot wait leaves the buffer as it was */
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_ERR(steady_rx_take_wait(f.probe, f.rx.raw, wbuf), STEADY_ENOTOWNER, NULL);
    assert_int_equal(wbuf[0], 99);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

/* ---- slices ---------------------------------------------------------------------------------- */

static uint64_t call_send_slice_wait(void *tx)
{
    size_t sent = 77;
    steady_err e = steady_tx_send_slice_wait(NULL, tx, wbuf, 2, &sent);
    return e == STEADY_OK || sent != 0;
}
static uint64_t call_take_slice_wait(void *rx)
{
    size_t got = 77;
    steady_err e = steady_rx_take_slice_wait(NULL, rx, wbuf, SIZE_MAX, &got);
    return e == STEADY_OK || got != 0;
}
static const char *send_slice_wait_null_src(steady_actor *a, fx *f)
{
    steady_tx_send_slice_wait(a, f->tx.raw, NULL, 1, NULL);
    return "went on";
}
static const char *take_slice_wait_null_dst(steady_actor *a, fx *f)
{
    steady_rx_take_slice_wait(a, f->rx.raw, NULL, 1, NULL);
    return "went on";
}
/* Zero counts move nothing and return at once, even with NULL buffers and counts. */
static const char *slices_of_zero(steady_actor *a, fx *f)
{
    size_t n = 5;
    if (steady_tx_send_slice_wait(a, f->tx.raw, NULL, 0, &n) != STEADY_OK || n != 0)
        return "send_slice_wait of 0 did not return OK with 0 sent";
    n = 5;
    if (steady_rx_take_slice_wait(a, f->rx.raw, NULL, 0, &n) != STEADY_OK || n != 0)
        return "take_slice_wait of 0 did not return OK with 0 taken";
    if (steady_tx_send_slice_wait(a, f->tx.raw, NULL, 0, NULL) != STEADY_OK)
        return "send_slice_wait of 0 with a NULL count failed";
    return "zero ok";
}
/* More than the capacity (4) with nobody taking: sends 4, then waits; the stop's shutdown
 * request ends the wait with ESHUTDOWN and the count sent. */
static const char *send_slice_wait_past_capacity(steady_actor *a, fx *f)
{
    static uint64_t many[10];
    size_t sent = 0;
    steady_actor_request_shutdown(a);
    steady_err e = steady_tx_send_slice_wait(a, f->tx.raw, many, 10, &sent);
    static char note[96];
    snprintf(note, sizeof note, "%s, sent %zu", steady_strerror(e), sent);
    return note;
}

static void row_steady_tx_send_slice_wait(void **state)
{
    (void)state;
    check_end_call("send_slice_wait", false, call_send_slice_wait, AFTER_CLOSE | AFTER_STOP);
    EXPECT_TEXT(in_actor(send_slice_wait_null_src), "send_slice_wait: src is NULL with n = 1");
    EXPECT_TEXT(in_actor(slices_of_zero), "zero ok");
    char want[96];
    snprintf(want, sizeof want, "%s, sent 4", steady_strerror(STEADY_ESHUTDOWN));
    EXPECT_TEXT(in_actor(send_slice_wait_past_capacity), want);
}

static void row_steady_rx_take_slice_wait(void **state)
{
    (void)state;
    check_end_call("take_slice_wait", true, call_take_slice_wait, AFTER_CLOSE | AFTER_STOP);
    EXPECT_TEXT(in_actor(take_slice_wait_null_dst), "take_slice_wait: dst is NULL with max = 1");
}

/* ---- steady/typed.h -------------------------------------------------------------------------- */

STEADY_MAP_TYPE(u64ch, u64ch);

static const char *typed_null_callbacks(steady_actor *a, fx *f)
{
    (void)a;
    u64ch_tx_try_send(f->tx, 1);
    if (u64ch_tx_produce(f->tx, 4, NULL, NULL) != 0)
        return "produce with a NULL fill moved";
    return "went on";
}
static const char *typed_null_visit(steady_actor *a, fx *f)
{
    (void)a;
    u64ch_tx_try_send(f->tx, 1);
    u64ch_rx_consume(f->rx, SIZE_MAX, NULL, NULL);
    return "went on";
}
static const char *typed_null_map(steady_actor *a, fx *f)
{
    (void)a;
    u64ch_tx_try_send(f->tx, 1);
    u64ch_to_u64ch_map(f->rx, f->tx, 4, NULL, NULL);
    return "went on";
}
/* A commit of more than is there moves nothing and names the channel. */
static const char *typed_commit_too_many(steady_actor *a, fx *f)
{
    (void)a;
    u64ch_tx_try_send(f->tx, 1);
    static char note[256];
    steady_err e = u64ch_to_u64ch_commit(f->rx, SIZE_MAX, f->tx, 0);
    snprintf(note, sizeof note, "%s: %s", steady_strerror(e), steady_last_error());
    return note;
}

static void row_STEADY_MAP_TYPE(void **state)
{
    (void)state;
    EXPECT_TEXT(in_actor(typed_null_callbacks), "steady_tx_produce: fill is NULL");
    EXPECT_TEXT(in_actor(typed_null_visit), "steady_rx_consume: visit is NULL");
    EXPECT_TEXT(in_actor(typed_null_map), "steady_map: map is NULL");
    EXPECT_TEXT(in_actor(typed_commit_too_many), "'mine'");
}

/* The span index: past the end is NULL, never a pointer into the ring. */
static void row_STEADY__CHANNEL_SPANS(void **state)
{
    (void)state;
    uint64_t a[2] = {1, 2}, b[1] = {3};
    u64ch_span s = {a, 2, b, 1};
    assert_int_equal(u64ch_span_len(s), 3);
    assert_ptr_equal(u64ch_span_at(s, 0), &a[0]);
    assert_ptr_equal(u64ch_span_at(s, 2), &b[0]);
    assert_null(u64ch_span_at(s, 3));
    assert_null(u64ch_span_at(s, SIZE_MAX));
    u64ch_span empty = {NULL, 0, NULL, 0};
    assert_int_equal(u64ch_span_len(empty), 0);
    assert_null(u64ch_span_at(empty, 0));
}

/* Typed waits: a NULL end is the try call's misuse; a NULL out is refused, not written. */
static void row_STEADY__CHANNEL_WAITS(void **state)
{
    (void)state;
    u64ch_tx none_tx = {NULL};
    u64ch_rx none_rx = {NULL};
    uint64_t v = 7;
    size_t n = 9;
    EXPECT_ERR(u64ch_tx_send_wait(NULL, none_tx, 1), STEADY_EINVAL,
               "try_send on a NULL sending end");
    EXPECT_ERR(u64ch_rx_take_wait(NULL, none_rx, &v), STEADY_EINVAL,
               "try_take on a NULL receiving end");
    assert_int_equal(v, 0);
    EXPECT_ERR(u64ch_tx_send_slice_wait(NULL, none_tx, &v, 1, &n), STEADY_EINVAL,
               "send_slice_wait on a NULL sending end");
    assert_int_equal(n, 0);
    EXPECT_ERR(u64ch_rx_take_slice_wait(NULL, none_rx, &v, 1, &n), STEADY_EINVAL,
               "take_slice_wait on a NULL receiving end");
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(u64ch_rx_take_wait(NULL, f.rx, NULL), STEADY_EINVAL, "try_take: out is NULL");
    steady_graph_free(f.g);
}

/* The typed record calls on NULL ends: the raw calls' refusals, never a crash. */
static void row_STEADY__CHANNEL_RECORD(void **state)
{
    (void)state;
    u64ch_tx none_tx = u64ch_no_tx();
    u64ch_rx none_rx = {NULL};
    assert_null(none_tx.raw);
    EXPECT_DETAIL(assert_null(u64ch_tx_channel(none_tx)), "steady_tx_channel: NULL");
    EXPECT_DETAIL(assert_null(u64ch_rx_channel(none_rx)), "steady_rx_channel: NULL");
    assert_int_equal(u64ch_rx_showstopper_count(none_rx), 0);
    assert_false(u64ch_rx_is_showstopper(none_rx, 2));
    EXPECT_ERR(u64ch_rx_set_showstopper(none_rx, 2, none_tx), STEADY_EINVAL, NULL);
}

/* The descriptor condition: built as given (checked by the wait, which fails the actor on a
 * negative descriptor or unknown events: fdwait_test.c); outside an actor the wait refuses. */
static void row_steady_cond_fd(void **state)
{
    (void)state;
    steady_cond c = steady_cond_fd(-1, 0);
    assert_int_equal(c.kind, STEADY_COND_FD);
    assert_int_equal(c.fd, -1);
    assert_int_equal(c.n, 0);
    c = STEADY_FD(INT32_MAX, STEADY_FD_READABLE | STEADY_FD_WRITABLE);
    assert_int_equal(c.fd, INT32_MAX);
    assert_int_equal(c.n, 3);
    EXPECT_DETAIL(steady_wait(NULL, STEADY_WAIT_ALL, &c, 1), "steady_wait called outside an actor");
}

const api_row api_wait_rows[] = {
    ROW(steady_tx_send_wait),
    ROW(steady_rx_take_wait),
    ROW(steady__tx_await_room),
    ROW(steady__rx_await_data),
    ROW(steady_tx_send_slice_wait),
    ROW(steady_rx_take_slice_wait),
    ROW(STEADY_MAP_TYPE),
    ROW(STEADY__CHANNEL_SPANS),
    ROW(STEADY__CHANNEL_WAITS),
    ROW(STEADY__CHANNEL_RECORD),
    ROW(steady_cond_fd),
};
const size_t api_n_wait_rows = sizeof api_wait_rows / sizeof api_wait_rows[0];
