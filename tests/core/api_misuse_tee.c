/*
 * api_misuse_tee.c: rows of the misuse table for broadcast (tee) channels (steady/tee.h); see
 * api_misuse.h. A tee's lanes are channels, so the consumers' ends are checked by the channel
 * rows; these rows check the producer's calls: NULL tees and arguments, sizes, the options, the
 * waiting calls from outside an actor, and calls after close. tee_test.c has tees used well.
 */
#include "api_misuse.h"

#include <stdint.h>

typedef struct tfx {
    steady_graph *g;
    steady_tee *t;
    steady_rx *rx[2];
} tfx;

static void tfx_make(tfx *f)
{
    f->g = new_graph("tee-misuse");
    steady_tee_opts o = {.name = "t", .capacity = 2, .elem_size = 8, .consumers = 2};
    assert_int_equal(steady_tee_new(f->g, &o, &f->t, f->rx), STEADY_OK);
}

static uint64_t v1 = 1;

static void row_steady_tee_new(void **state)
{
    (void)state;
    steady_tee *t;
    steady_rx *rx[32];
    steady_tee_opts ok = {.name = "t", .capacity = 4, .elem_size = 8, .consumers = 2};
    EXPECT_ERR(steady_tee_new(NULL, &ok, &t, rx), STEADY_EINVAL, "must not be NULL");
    tfx f;
    tfx_make(&f);
    EXPECT_ERR(steady_tee_new(f.g, NULL, &t, rx), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tee_new(f.g, &ok, NULL, rx), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tee_new(f.g, &ok, &t, NULL), STEADY_EINVAL, "must not be NULL");
    steady_tee_opts o = ok;
    o.name = "";
    EXPECT_ERR(steady_tee_new(f.g, &o, &t, rx), STEADY_EINVAL, "opts.name is required");
    o = ok;
    o.consumers = 0;
    EXPECT_ERR(steady_tee_new(f.g, &o, &t, rx), STEADY_EINVAL, "a tee has 1 to 31");
    o.consumers = UINT32_MAX;
    EXPECT_ERR(steady_tee_new(f.g, &o, &t, rx), STEADY_EINVAL, "a tee has 1 to 31");
    o = ok;
    o.capacity = 0;
    EXPECT_ERR(steady_tee_new(f.g, &o, &t, rx), STEADY_EINVAL, "capacity 0");
    steady_graph_free(f.g);
}

static void row_steady_tee_ends(void **state)
{
    (void)state;
    assert_null(steady_tee_ends(NULL));
    tfx f;
    tfx_make(&f);
    steady_tx *const *e = steady_tee_ends(f.t);
    assert_non_null(e[0]);
    assert_non_null(e[1]);
    assert_null(e[2]);
    steady_graph_free(f.g);
}

static void row_steady_tee_consumers(void **state)
{
    (void)state;
    assert_int_equal(steady_tee_consumers(NULL), 0);
    tfx f;
    tfx_make(&f);
    assert_int_equal(steady_tee_consumers(f.t), 2);
    steady_graph_free(f.g);
}

static void row_steady_tee_try_send(void **state)
{
    (void)state;
    EXPECT_ERR(steady_tee_try_send(NULL, &v1), STEADY_EINVAL, "on a NULL tee");
    tfx f;
    tfx_make(&f);
    EXPECT_ERR(steady_tee_try_send(f.t, NULL), STEADY_EINVAL, "elem is NULL");
    steady_tee_close(f.t);
    EXPECT_ERR(steady_tee_try_send(f.t, &v1), STEADY_ECLOSED, "after its sending end was closed");
    steady_graph_free(f.g);
}

static void row_steady_tee_send_slice(void **state)
{
    (void)state;
    assert_int_equal(steady_tee_send_slice(NULL, &v1, 1), 0);
    tfx f;
    tfx_make(&f);
    uint64_t many[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_DETAIL(assert_int_equal(steady_tee_send_slice(f.t, NULL, 1), 0), "src is NULL");
    assert_int_equal(steady_tee_send_slice(f.t, many, 0), 0);
    assert_int_equal(steady_tee_send_slice(f.t, many, SIZE_MAX), 2); /* clamped to the room */
    steady_graph_free(f.g);
}

static void row_steady_tee_poke_slice(void **state)
{
    (void)state;
    steady_span s = steady_tee_poke_slice(NULL);
    assert_int_equal(s.a_len + s.b_len, 0);
    tfx f;
    tfx_make(&f);
    s = steady_tee_poke_slice(f.t);
    assert_int_equal(s.a_len + s.b_len, 2);
    steady_tee_close(f.t);
    s = steady_tee_poke_slice(f.t);
    assert_null(s.a);
    steady_graph_free(f.g);
}

static void row_steady_tee_advance_send(void **state)
{
    (void)state;
    assert_int_equal(steady_tee_advance_send(NULL, 1), 0);
    tfx f;
    tfx_make(&f);
    assert_int_equal(steady_tee_advance_send(f.t, 0), 0);
    assert_int_equal(steady_tee_advance_send(f.t, SIZE_MAX), 2);
    assert_int_equal(steady_tee_advance_send(f.t, 1), 0); /* full */
    steady_graph_free(f.g);
}

static void row_steady_tee_vacant(void **state)
{
    (void)state;
    assert_int_equal(steady_tee_vacant(NULL), 0);
    tfx f;
    tfx_make(&f);
    assert_int_equal(steady_tee_vacant(f.t), 2);
    steady_graph_free(f.g);
}

static void row_steady_tee_wait_vacant(void **state)
{
    (void)state;
    assert_int_equal(steady_tee_wait_vacant(NULL, NULL, 1), STEADY_CLOSED);
    tfx f;
    tfx_make(&f);
    EXPECT_DETAIL(steady_tee_wait_vacant(NULL, f.t, 1), "steady_wait called outside an actor");
    steady_graph_free(f.g);
}

static void row_steady_tee_send_wait(void **state)
{
    (void)state;
    EXPECT_ERR(steady_tee_send_wait(NULL, NULL, &v1), STEADY_EINVAL, "on a NULL tee");
    tfx f;
    tfx_make(&f);
    assert_int_equal(steady_tee_send_wait(NULL, f.t, &v1), STEADY_OK); /* room: no wait */
    assert_int_equal(steady_tee_send_wait(NULL, f.t, &v1), STEADY_OK);
    EXPECT_ERR(steady_tee_send_wait(NULL, f.t, &v1), STEADY_ENOTOWNER,
               "outside an actor"); /* full */
    steady_graph_free(f.g);
}

static void row_steady_tee_close(void **state)
{
    (void)state;
    EXPECT_DETAIL(assert_true(steady_tee_close(NULL)), "NULL tee");
    tfx f;
    tfx_make(&f);
    assert_true(steady_tee_close(f.t));
    assert_true(steady_tee_close(f.t)); /* twice */
    assert_true(steady_rx_is_closed(f.rx[0]) && steady_rx_is_closed(f.rx[1]));
    steady_graph_free(f.g);
}

static void row_steady_tee_is_closed(void **state)
{
    (void)state;
    assert_false(steady_tee_is_closed(NULL));
    tfx f;
    tfx_make(&f);
    assert_false(steady_tee_is_closed(f.t));
    steady_rx_close(f.rx[0]);
    assert_false(steady_tee_is_closed(f.t));
    steady_rx_close(f.rx[1]);
    assert_true(steady_tee_is_closed(f.t));
    steady_graph_free(f.g);
}

static void row_steady_rx_bundle_take(void **state)
{
    (void)state;
    uint64_t buf[4];
    uint32_t lane = 7;
    EXPECT_DETAIL(assert_int_equal(steady_rx_bundle_take(NULL, buf, 4, &lane), 0),
                  "NULL bundle end");
    assert_int_equal(lane, STEADY_NO_LANE);
    steady_graph *g = new_graph("fan-in-misuse");
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    steady_channel_opts o = {.name = "in", .capacity = 4, .elem_size = sizeof(uint64_t)};
    assert_int_equal(steady_bundle_new(g, &o, 2, &txb, &rxb), STEADY_OK);
    assert_int_equal(steady_rx_bundle_take(rxb, buf, 4, NULL), 0); /* nothing there */
    assert_int_equal(steady_tx_try_send(steady_tx_bundle_lane(txb, 1), &v1), STEADY_OK);
    EXPECT_DETAIL(assert_int_equal(steady_rx_bundle_take(rxb, NULL, 4, &lane), 0), "dst");
    assert_int_equal(steady_rx_bundle_take(rxb, buf, SIZE_MAX, &lane), 1);
    assert_int_equal(lane, 1);
    steady_graph_free(g);
}

const api_row api_tee_rows[] = {
    ROW(steady_rx_bundle_take),  ROW(steady_tee_new),          ROW(steady_tee_ends),
    ROW(steady_tee_consumers),   ROW(steady_tee_try_send),     ROW(steady_tee_send_slice),
    ROW(steady_tee_poke_slice),  ROW(steady_tee_advance_send), ROW(steady_tee_vacant),
    ROW(steady_tee_wait_vacant), ROW(steady_tee_send_wait),    ROW(steady_tee_close),
    ROW(steady_tee_is_closed),
};
const size_t api_n_tee_rows = sizeof api_tee_rows / sizeof api_tee_rows[0];
