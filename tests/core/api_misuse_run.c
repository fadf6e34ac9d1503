/*
 * api_misuse_run.c: rows of the misuse table for a running graph: channel operations and waits
 * (see api_misuse.h). Every operation on an end gets the checks of check_end_call.
 */
#include "api_misuse.h"

#include <limits.h>
#include <string.h>

/* ---- steady/channel.h ------------------------------------------------------------------------ */

/* The operations, as end_call adapters (api_misuse.h): each returns what a refused call must
 * not give. */
static uint64_t buf[4];
static uint64_t one = 1;

static uint64_t call_try_send(void *tx)
{
    return steady_tx_try_send(tx, &one) == STEADY_OK;
}
static uint64_t call_try_take(void *rx)
{
    return steady_rx_try_take(rx, buf) == STEADY_OK;
}
static uint64_t call_try_peek(void *rx)
{
    return steady_rx_try_peek(rx, buf) == STEADY_OK;
}
static uint64_t call_avail(void *rx)
{
    return steady_rx_avail(rx);
}
static uint64_t call_vacant(void *tx)
{
    return steady_tx_vacant(tx);
}
static uint64_t call_send_slice(void *tx)
{
    return steady_tx_send_slice(tx, buf, 2);
}
static uint64_t call_set_nontemporal(void *tx)
{
    steady_tx_set_nontemporal(tx, SIZE_MAX);
    return 0;
}
static uint64_t call_take_slice(void *rx)
{
    return steady_rx_take_slice(rx, buf, SIZE_MAX);
}
static uint64_t call_peek_slice_copy(void *rx)
{
    return steady_rx_peek_slice_copy(rx, buf, 4);
}
static uint64_t call_peek_slice(void *rx)
{
    steady_span s = steady_rx_peek_slice(rx);
    return s.a_len + s.b_len + (s.a != NULL);
}
static uint64_t call_poke_slice(void *tx)
{
    steady_span s = steady_tx_poke_slice(tx);
    return s.a_len + s.b_len + (s.a != NULL);
}
static uint64_t call_advance_take(void *rx)
{
    return steady_rx_advance_take(rx, SIZE_MAX);
}
static uint64_t call_advance_send(void *tx)
{
    return steady_tx_advance_send(tx, SIZE_MAX);
}
static uint64_t call_tx_close(void *tx)
{
    return !steady_tx_close(tx); /* true, always */
}
static uint64_t call_rx_close(void *rx)
{
    return !steady_rx_close(rx);
}
static uint64_t call_closed_and_empty(void *rx)
{
    return steady_rx_is_closed_and_empty(rx);
}

/* The element pointers of the inline paths: NULL is refused like a NULL end. */
static const char *send_null_elem(steady_actor *a, fx *f)
{
    (void)a;
    steady_tx_try_send(f->tx.raw, NULL);
    return "went on";
}

static void row_steady_tx_try_send(void **state)
{
    (void)state;
    check_end_call("try_send", false, call_try_send, AFTER_CLOSE | AFTER_STOP);
    EXPECT_TEXT(in_actor(send_null_elem), "try_send: elem is NULL");
}

static void row_steady_rx_try_take(void **state)
{
    (void)state;
    check_end_call("try_take", true, call_try_take, AFTER_CLOSE | AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_rx_try_take(f.rx.raw, NULL), STEADY_EINVAL, "try_take: elem is NULL");
    steady_graph_free(f.g);
}

static void row_steady_rx_try_peek(void **state)
{
    (void)state;
    check_end_call("try_peek", true, call_try_peek, AFTER_CLOSE | AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_rx_try_peek(f.rx.raw, NULL), STEADY_EINVAL, "try_peek: elem is NULL");
    steady_graph_free(f.g);
}

static void row_steady_rx_avail(void **state)
{
    (void)state;
    check_end_call("avail", true, call_avail, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_tx_vacant(void **state)
{
    (void)state;
    check_end_call("vacant", false, call_vacant, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_tx_send_slice(void **state)
{
    (void)state;
    check_end_call("send_slice", false, call_send_slice, AFTER_CLOSE | AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(steady_tx_send_slice(f.tx.raw, NULL, 1), "send_slice: src is NULL");
    assert_int_equal(steady_tx_send_slice(f.tx.raw, NULL, 0), 0);       /* nothing to read */
    assert_int_equal(steady_tx_send_slice(f.tx.raw, buf, SIZE_MAX), 4); /* clamped to the room */
    steady_graph_free(f.g);
}

static void row_steady_tx_set_nontemporal(void **state)
{
    (void)state;
    check_end_call("set_nontemporal", false, call_set_nontemporal, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_rx_take_slice(void **state)
{
    (void)state;
    check_end_call("take_slice", true, call_take_slice, AFTER_CLOSE | AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(steady_rx_take_slice(f.rx.raw, NULL, 1), "take_slice: dst is NULL");
    steady_graph_free(f.g);
}

static void row_steady_rx_peek_slice_copy(void **state)
{
    (void)state;
    check_end_call("peek_slice_copy", true, call_peek_slice_copy, AFTER_CLOSE | AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(steady_rx_peek_slice_copy(f.rx.raw, NULL, 1), "peek_slice_copy: dst is NULL");
    steady_graph_free(f.g);
}

static void row_steady_rx_peek_slice(void **state)
{
    (void)state;
    check_end_call("peek_slice", true, call_peek_slice, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_tx_poke_slice(void **state)
{
    (void)state;
    check_end_call("poke_slice", false, call_poke_slice, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_rx_advance_take(void **state)
{
    (void)state;
    check_end_call("advance_take", true, call_advance_take, AFTER_CLOSE | AFTER_STOP);
}

static void row_steady_tx_advance_send(void **state)
{
    (void)state;
    check_end_call("advance_send", false, call_advance_send, AFTER_CLOSE | AFTER_STOP);
}

/* close: idempotent, so neither "after closing" nor "after the stop" is a misuse. */
static void row_steady_tx_close(void **state)
{
    (void)state;
    check_end_call("close", false, call_tx_close, 0);
}

static void row_steady_rx_close(void **state)
{
    (void)state;
    check_end_call("close", true, call_rx_close, 0);
}

/* Owner only, but reading one's own closed end is no misuse. */
static void row_steady_rx_is_closed_and_empty(void **state)
{
    (void)state;
    check_end_call("is_closed_and_empty", true, call_closed_and_empty, AFTER_STOP);
}

/* Queries of any thread: NULL and the other kind read as false, with a detail. */
static void row_steady_rx_is_closed(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    bool b = true;
    EXPECT_DETAIL(b = steady_rx_is_closed(NULL), "steady_rx_is_closed: the end is NULL");
    assert_false(b);
    EXPECT_DETAIL(b = steady_rx_is_closed((steady_rx *)(void *)f.tx.raw), "that is a sending end");
    assert_false(b);
    steady_graph_free(f.g);
}

static void row_steady_tx_is_closed(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    bool b = true;
    EXPECT_DETAIL(b = steady_tx_is_closed(NULL), "steady_tx_is_closed: the end is NULL");
    assert_false(b);
    EXPECT_DETAIL(b = steady_tx_is_closed((steady_tx *)(void *)f.rx.raw), "a receiving end");
    assert_false(b);
    steady_graph_free(f.g);
}

static void row_steady_tx_capacity(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    assert_int_equal(steady_tx_capacity(NULL), 0);
    assert_int_equal(steady_tx_capacity((steady_tx *)(void *)f.rx.raw), 0);
    assert_int_equal(steady_tx_capacity(f.tx.raw), 4);
    steady_graph_free(f.g);
}

static void row_steady_rx_capacity(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    assert_int_equal(steady_rx_capacity(NULL), 0);
    assert_int_equal(steady_rx_capacity((steady_rx *)(void *)f.tx.raw), 0);
    assert_int_equal(steady_rx_capacity(f.rx.raw), 4);
    steady_graph_free(f.g);
}

/* The typed wrappers: the same checks through their raw ends, and NULL out-pointers. */
static void row_STEADY_CHANNEL_TYPE(void **state)
{
    (void)state;
    u64ch_tx none_tx = {NULL};
    u64ch_rx none_rx = {NULL};
    uint64_t v = 7;
    EXPECT_ERR(u64ch_new(NULL, "c", 4, NULL, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(u64ch_tx_try_send(none_tx, 1), STEADY_EINVAL, "try_send on a NULL sending end");
    EXPECT_ERR(u64ch_rx_try_take(none_rx, &v), STEADY_EINVAL, "try_take on a NULL receiving end");
    assert_int_equal(v, 0); /* a failed typed take writes a zero T */
    assert_true(u64ch_tx_capacity(none_tx) == 0 && u64ch_rx_capacity(none_rx) == 0);
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(u64ch_rx_try_take(f.rx, NULL), STEADY_EINVAL, "try_take: out is NULL");
    EXPECT_ERR(u64ch_rx_try_peek(f.rx, NULL), STEADY_EINVAL, "try_peek: out is NULL");
    steady_graph_free(f.g);
}

/* The private helpers behind the inline paths and the waits. */
static const char *wait_on_theirs(steady_actor *a, fx *f)
{
    steady_wait_vacant(a, f->otx, 1);
    return "went on";
}

static void row_steady__tx_misuse(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady__tx_misuse(NULL, "op"), "op on a NULL sending end");
    EXPECT_TEXT(in_actor(wait_on_theirs),
                "wait_vacant on channel 'theirs' (sending end), which belongs to actor 'other'");
}

static const char *wait_on_their_rx(steady_actor *a, fx *f)
{
    steady_wait_avail(a, f->orx, 1);
    return "went on";
}

static void row_steady__rx_misuse(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady__rx_misuse(NULL, "op"), "op on a NULL receiving end");
    EXPECT_TEXT(in_actor(wait_on_their_rx), "wait_avail on channel 'theirs' (receiving end)");
}

/* A send to a consumer that is gone: STEADY_ECLOSED, no detail and no failure. */
static const char *send_to_closed(steady_actor *a, fx *f)
{
    (void)a;
    steady_rx_close(f->rx.raw);
    return steady_strerror(u64ch_tx_try_send(f->tx, 1));
}

static void row_steady__tx_stopped(void **state)
{
    (void)state;
    EXPECT_ERR(steady__tx_stopped(NULL, "op"), STEADY_EINVAL, "op on a NULL sending end");
    EXPECT_TEXT(in_actor(send_to_closed), steady_strerror(STEADY_ECLOSED));
}

static void row_steady__rx_stopped(void **state)
{
    (void)state;
    EXPECT_ERR(steady__rx_stopped(NULL, "op"), STEADY_EINVAL, "op on a NULL receiving end");
}

static void row_steady__null_arg(void **state)
{
    (void)state;
    EXPECT_ERR(steady__null_arg(NULL, NULL), STEADY_EINVAL, "?: an argument is NULL");
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_tx_try_send(f.tx.raw, NULL), STEADY_EINVAL, "try_send: elem is NULL");
    steady_graph_free(f.g);
}

static void row_steady__tx_wake_peer(void **state)
{
    (void)state;
    steady__tx_wake_peer(NULL, 1); /* nothing to wake */
}

/* The latency probe's cold halves: NULL is a no-op; a call when nothing was asked (the inline
 * checks never make one, but a stray call must not record a bogus delay) changes nothing. */
static void row_steady__tx_stamp(void **state)
{
    (void)state;
    steady__tx_stamp(NULL, 1);
    fx f;
    fx_make(&f, NULL);
    steady__tx_stamp(f.tx.raw, 0);          /* tail 0: nothing published, nothing stamped */
    steady__rx_stamp(f.rx.raw, UINT64_MAX); /* no stamp in flight: no sample */
    steady_channel_info ci[8];
    size_t n = steady_inspect_channels(f.g, ci, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        assert_int_equal(ci[i].latency_samples, 0);
    steady_graph_free(f.g);
}

static void row_steady__rx_stamp(void **state)
{
    (void)state;
    steady__rx_stamp(NULL, 1);
    steady__rx_stamp(NULL, UINT64_MAX);
}

static void row_steady__rx_wake_peer(void **state)
{
    (void)state;
    steady__rx_wake_peer(NULL, 1);
}

/* The running actor's words for the fast paths' owner check. */
static const char *self_words(steady_actor *a, fx *f)
{
    (void)f;
    bool ok = steady__self == a && steady__self_rx == ((uintptr_t)a | STEADY__GATE_RX);
    return ok ? "self" : "not self";
}

static void row_steady__self(void **state)
{
    (void)state;
    assert_null(steady__self);
    EXPECT_TEXT(in_actor(self_words), "self");
}

static void row_steady__self_rx(void **state)
{
    (void)state;
    assert_int_equal(steady__self_rx, STEADY__GATE_RX); /* no actor: matches no owned end */
}

/* ---- steady/wait.h --------------------------------------------------------------------------- */

static steady_cond conds[2];
static steady_wait_mode mode;
static unsigned count;

static const char *wait_as_set(steady_actor *a, fx *f)
{
    (void)f;
    steady_wait(a, mode, count ? conds : NULL, count ? count : 1);
    return "went on";
}

/* A wait of `m` over `n` conditions (n 0: a NULL array of one); returns the probe's failure. */
static const char *bad_wait(steady_wait_mode m, steady_cond c, unsigned n)
{
    mode = m;
    count = n;
    conds[0] = conds[1] = c;
    return in_actor(wait_as_set);
}

static const char *wait_with_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_wait_shutdown(NULL);
    return "went on";
}

static const char *wait_with_other(steady_actor *a, fx *f)
{
    (void)a;
    steady_wait_shutdown(f->other);
    return "went on";
}

static void row_steady_wait(void **state)
{
    (void)state;
    steady_cond t = STEADY_TIMEOUT(0);
    steady_wake w = steady_wait(NULL, STEADY_WAIT_ALL, &t, 1);
    assert_int_equal(w.reason, STEADY_SHUTDOWN);
    EXPECT_TEXT(steady_last_error(), "steady_wait called outside an actor");
    fx f;
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_DETAIL(steady_wait(f.probe, STEADY_WAIT_ALL, &t, 1), "called outside an actor");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, t, 0), "1 condition at NULL; pass an array");
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ANY, t, UINT_MAX), "4294967295 conditions; give 1 to 32");
    EXPECT_TEXT(bad_wait((steady_wait_mode)0, t, 1), "mode 0, not a steady_wait_mode");
    EXPECT_TEXT(bad_wait((steady_wait_mode)INT_MAX, t, 1), "not a steady_wait_mode");
    steady_cond odd = {.kind = (steady_cond_kind)99};
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, odd, 2), "condition 0 has kind 99");
    EXPECT_TEXT(in_actor(wait_with_null), "steady_wait called with a NULL actor");
    EXPECT_TEXT(in_actor(wait_with_other), "steady_wait called with another actor's handle");
}

static const char *wait_one_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_wait_one(NULL, STEADY_SHUTDOWN_REQUESTED());
    return "went on";
}

static void row_steady_wait_one(void **state)
{
    (void)state;
    EXPECT_TEXT(in_actor(wait_one_null), "called with a NULL actor");
}

static const char *swapped_lane(steady_actor *a, fx *f)
{
    steady_wait_one(a, steady_cond_avail_lane((steady_rx_bundle *)(void *)f->txb, 1, NULL));
    return "went on";
}

static void row_steady_cond_avail(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, steady_cond_avail(NULL, 1), 1),
                "wait_avail on a NULL receiving end");
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ANY, steady_cond_avail((steady_rx *)(void *)f.tx.raw, 1), 1),
                "wait_avail on channel 'mine': that is its sending end");
    steady_graph_free(f.g);
}

static void row_steady_cond_vacant(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, steady_cond_vacant(NULL, UINT64_MAX), 1),
                "wait_vacant on a NULL sending end");
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, steady_cond_vacant((steady_tx *)(void *)f.rx.raw, 0), 1),
                "wait_vacant on channel 'mine': that is its receiving end");
    steady_graph_free(f.g);
}

static const char *timer_huge(steady_actor *a, fx *f)
{
    (void)f;
    steady_actor_request_shutdown(a); /* a timeout of "forever" still yields to the shutdown */
    return steady_reason_name(
        steady_wait_any(a, STEADY_TIMEOUT(UINT64_MAX), STEADY_PERIODIC(UINT64_MAX)).reason);
}

static void row_steady_cond_timer(void **state)
{
    (void)state;
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, steady_cond_timer((steady_cond_kind)0, 1), 1),
                "condition 0 has kind 0");
    EXPECT_TEXT(in_actor(timer_huge), "SHUTDOWN");
}

static void row_steady_cond_avail_lane(void **state)
{
    (void)state;
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ALL, steady_cond_avail_lane(NULL, 1, NULL), 1),
                "wait_avail_lane on a NULL bundle end");
    EXPECT_TEXT(in_actor(swapped_lane), "wait_avail_lane on bundle 'lanes': that is its sending");
}

static void row_steady_cond_vacant_lane(void **state)
{
    (void)state;
    EXPECT_TEXT(bad_wait(STEADY_WAIT_ANY, steady_cond_vacant_lane(NULL, 1, NULL), 1),
                "wait_vacant_lane on a NULL bundle end");
}

static void row_steady_reason_name(void **state)
{
    (void)state;
    assert_string_equal(steady_reason_name((steady_reason)0), "?");
    assert_string_equal(steady_reason_name((steady_reason)INT_MAX), "?");
}

const api_row api_run_rows[] = {
    ROW(steady_tx_try_send),
    ROW(steady_rx_try_take),
    ROW(steady_rx_try_peek),
    ROW(steady_rx_avail),
    ROW(steady_tx_vacant),
    ROW(steady_tx_capacity),
    ROW(steady_rx_capacity),
    ROW(steady_tx_send_slice),
    ROW(steady_tx_set_nontemporal),
    ROW(steady_rx_take_slice),
    ROW(steady_rx_peek_slice_copy),
    ROW(steady_rx_peek_slice),
    ROW(steady_tx_poke_slice),
    ROW(steady_rx_advance_take),
    ROW(steady_tx_advance_send),
    ROW(steady_tx_close),
    ROW(steady_rx_close),
    ROW(steady_rx_is_closed),
    ROW(steady_rx_is_closed_and_empty),
    ROW(steady_tx_is_closed),
    ROW(STEADY_CHANNEL_TYPE),
    ROW(steady__tx_misuse),
    ROW(steady__rx_misuse),
    ROW(steady__tx_stopped),
    ROW(steady__rx_stopped),
    ROW(steady__null_arg),
    ROW(steady__tx_wake_peer),
    ROW(steady__rx_wake_peer),
    ROW(steady__tx_stamp),
    ROW(steady__rx_stamp),
    ROW(steady__self),
    ROW(steady__self_rx),
    ROW(steady_wait),
    ROW(steady_wait_one),
    ROW(steady_cond_avail),
    ROW(steady_cond_vacant),
    ROW(steady_cond_timer),
    ROW(steady_cond_avail_lane),
    ROW(steady_cond_vacant_lane),
    ROW(steady_reason_name),
};
const size_t api_n_run_rows = sizeof api_run_rows / sizeof api_run_rows[0];
