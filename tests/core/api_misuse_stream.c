/*
 * api_misuse_stream.c: rows of the misuse table for stream channels (steady/stream.h); see
 * api_misuse.h. Streams are made of two channels, so the ownership rules are the channels'
 * (api_misuse_run.c); these rows check what the stream calls add: NULL stream ends, sizes,
 * buffers, the options, and the calls that wait (from outside an actor). stream_test.c has the
 * behaviour of streams used well.
 */
#include "api_misuse.h"

#include <stdint.h>
#include <string.h>

/* A stream on a graph never started: plain threads may use both ends. */
typedef struct sfx {
    steady_graph *g;
    steady_stream_tx tx;
    steady_stream_rx rx;
} sfx;

static void sfx_make(sfx *f)
{
    f->g = new_graph("stream-misuse");
    /* Frames of 32-byte messages take 40 bytes: three fit in 128, a fourth does not. */
    steady_stream_opts o = {.name = "s", .max_messages = 4, .max_bytes = 128, .max_message = 32};
    assert_int_equal(steady_stream_new(f->g, &o, &f->tx, &f->rx), STEADY_OK);
}

static const steady_stream_tx none_tx = {{NULL}, {NULL}, 0};
static const steady_stream_rx none_rx = {{NULL}, {NULL}};
static char buf[64];

static void row_steady_stream_new(void **state)
{
    (void)state;
    steady_stream_tx tx;
    steady_stream_rx rx;
    EXPECT_ERR(steady_stream_new(NULL, &(steady_stream_opts){.name = "s"}, &tx, &rx), STEADY_EINVAL,
               NULL);
    EXPECT_ERR(steady_stream_new(NULL, NULL, NULL, NULL), STEADY_EINVAL, "opts->name");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_new(f.g,
                                 &(steady_stream_opts){.name = "huge",
                                                       .max_bytes = UINT64_MAX,
                                                       .max_message = UINT32_MAX},
                                 &tx, &rx),
               STEADY_EINVAL, "at most 2^40"); /* checked before either channel is made */
    char name[300];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = 0;
    EXPECT_ERR(steady_stream_new(f.g, &(steady_stream_opts){.name = name}, &tx, &rx), STEADY_EINVAL,
               "too long");
    assert_int_equal(spawn_with(f.g, "owner", STEADY_TXS(f.tx.lens, f.tx.bytes),
                                STEADY_RXS(f.rx.lens, f.rx.bytes), NULL, NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(f.g), STEADY_OK);
    EXPECT_ERR(steady_stream_new(f.g, &(steady_stream_opts){.name = "late"}, &tx, &rx),
               STEADY_ESTATE, NULL);
    steady_graph_request_shutdown(f.g);
    steady_graph_block_until_stopped(f.g, 5000);
    steady_graph_free(f.g);
}

/* The inline try_send and its library half (called directly) share one contract. */
static void send_rows(steady_err (*send)(steady_stream_tx, const void *, size_t))
{
    EXPECT_ERR(send(none_tx, buf, 1), STEADY_EINVAL, "a NULL stream end");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(send(f.tx, NULL, 1), STEADY_EINVAL, "data is NULL");
    EXPECT_ERR(send(f.tx, buf, SIZE_MAX), STEADY_EINVAL, "max_message of 32");
    assert_int_equal(send(f.tx, NULL, 0), STEADY_OK);
    steady_stream_rx_close(f.rx);
    EXPECT_ERR(send(f.tx, buf, 1), STEADY_ECLOSED, NULL);
    steady_graph_free(f.g);
}

static void row_steady_stream_try_send(void **state)
{
    (void)state;
    send_rows(steady_stream_try_send);
}

static void row_steady__stream_send(void **state)
{
    (void)state;
    send_rows(steady__stream_send);
}

static void row_steady_stream_send_wait(void **state)
{
    (void)state;
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_send_wait(NULL, none_tx, buf, 1), STEADY_EINVAL, "NULL stream end");
    assert_int_equal(steady_stream_send_wait(NULL, f.tx, buf, 32), STEADY_OK); /* room: no wait */
    assert_int_equal(steady_stream_send_wait(NULL, f.tx, buf, 32), STEADY_OK);
    assert_int_equal(steady_stream_send_wait(NULL, f.tx, buf, 32), STEADY_OK);
    /* full: it would wait, and only actors wait */
    EXPECT_ERR(steady_stream_send_wait(NULL, f.tx, buf, 1), STEADY_ENOTOWNER, "outside an actor");
    steady_graph_free(f.g);
}

static void row_steady_stream_claim(void **state)
{
    (void)state;
    assert_null(steady_stream_claim(none_tx, 1));
    sfx f;
    sfx_make(&f);
    EXPECT_DETAIL(assert_null(steady_stream_claim(f.tx, SIZE_MAX)), "max_message");
    assert_non_null(steady_stream_claim(f.tx, 0));
    assert_non_null(steady_stream_claim(f.tx, 32));
    assert_non_null(steady_stream_claim(f.tx, 32)); /* twice: the same place, nothing sent */
    steady_graph_free(f.g);
}

static void row_steady_stream_claim_wait(void **state)
{
    (void)state;
    void *p = buf;
    EXPECT_ERR(steady_stream_claim_wait(NULL, none_tx, 1, &p), STEADY_EINVAL, "NULL stream end");
    assert_null(p);
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_claim_wait(NULL, f.tx, 1, NULL), STEADY_EINVAL, "out is NULL");
    EXPECT_ERR(steady_stream_claim_wait(NULL, f.tx, SIZE_MAX, &p), STEADY_EINVAL, "max_message");
    assert_null(p);
    assert_int_equal(steady_stream_claim_wait(NULL, f.tx, 32, &p), STEADY_OK); /* room: no wait */
    assert_non_null(p);
    assert_int_equal(steady_stream_publish(f.tx, 32), STEADY_OK);
    assert_int_equal(steady_stream_claim_wait(NULL, f.tx, 32, &p), STEADY_OK);
    assert_int_equal(steady_stream_publish(f.tx, 32), STEADY_OK);
    assert_int_equal(steady_stream_claim_wait(NULL, f.tx, 32, &p), STEADY_OK);
    assert_int_equal(steady_stream_publish(f.tx, 32), STEADY_OK);
    /* full: it would wait, and only actors wait */
    EXPECT_ERR(steady_stream_claim_wait(NULL, f.tx, 1, &p), STEADY_ENOTOWNER, "outside an actor");
    assert_null(p);
    steady_stream_rx_close(f.rx);
    EXPECT_ERR(steady_stream_claim_wait(NULL, f.tx, 1, &p), STEADY_ECLOSED, NULL);
    steady_graph_free(f.g);
}

static void row_steady_stream_publish(void **state)
{
    (void)state;
    EXPECT_ERR(steady_stream_publish(none_tx, 1), STEADY_EINVAL, "a NULL stream end");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_publish(f.tx, SIZE_MAX), STEADY_EINVAL, "nothing is claimed");
    EXPECT_ERR(steady_stream_publish(f.tx, 0), STEADY_EINVAL, "nothing is claimed");
    memcpy(steady_stream_claim(f.tx, 3), "abc", 3);
    EXPECT_ERR(steady_stream_publish(f.tx, 2), STEADY_EINVAL, "the claim was of another length");
    assert_int_equal(steady_stream_publish(f.tx, 3), STEADY_OK);
    steady_stream_msg m;
    assert_int_equal(steady_stream_peek(f.rx, &m), STEADY_OK);
    assert_int_equal(m.len, 3);
    assert_memory_equal(m.data, "abc", 3);
    steady_graph_free(f.g);
}

static void row_steady_stream_peek(void **state)
{
    (void)state;
    steady_stream_msg m;
    EXPECT_ERR(steady_stream_peek(none_rx, &m), STEADY_EINVAL, "a NULL stream end");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_peek(f.rx, NULL), STEADY_EINVAL, "msg is NULL");
    assert_int_equal(steady_stream_peek(f.rx, &m), STEADY_EEMPTY);
    steady_stream_tx_close(f.tx);
    assert_int_equal(steady_stream_peek(f.rx, &m), STEADY_ECLOSED);
    steady_graph_free(f.g);
}

static void row_steady_stream_peek_batch(void **state)
{
    (void)state;
    steady_stream_msg m[4];
    assert_int_equal(steady_stream_peek_batch(none_rx, m, 4), 0);
    sfx f;
    sfx_make(&f);
    assert_int_equal(steady_stream_try_send(f.tx, "xy", 2), STEADY_OK);
    assert_int_equal(steady_stream_peek_batch(f.rx, m, 0), 0);
    EXPECT_DETAIL(steady_stream_peek_batch(f.rx, NULL, 4), "msgs is NULL");
    assert_int_equal(steady_stream_peek_batch(f.rx, m, SIZE_MAX), 1);
    steady_graph_free(f.g);
}

static void row_steady_stream_peek_from(void **state)
{
    (void)state;
    steady_stream_msg m[4];
    assert_int_equal(steady_stream_peek_from(none_rx, 0, m, 4), 0);
    sfx f;
    sfx_make(&f);
    assert_int_equal(steady_stream_try_send(f.tx, "xy", 2), STEADY_OK);
    assert_int_equal(steady_stream_peek_from(f.rx, 0, m, 0), 0);
    EXPECT_DETAIL(steady_stream_peek_from(f.rx, 0, NULL, 4), "msgs is NULL");
    assert_int_equal(steady_stream_peek_from(f.rx, 0, m, SIZE_MAX), 1);
    assert_int_equal(steady_stream_peek_from(f.rx, SIZE_MAX, m, SIZE_MAX), 0);
    assert_int_equal(steady_stream_peek_from(f.rx, 1, m, 4), 0);
    steady_stream_tx_close(f.tx);
    assert_int_equal(steady_stream_peek_from(f.rx, 0, m, 4), 1); /* closed: still there */
    steady_graph_free(f.g);
}

static void row_steady_stream_advance_take(void **state)
{
    (void)state;
    assert_int_equal(steady_stream_advance_take(none_rx, 1), 0);
    sfx f;
    sfx_make(&f);
    assert_int_equal(steady_stream_advance_take(f.rx, SIZE_MAX), 0);
    assert_int_equal(steady_stream_try_send(f.tx, "xy", 2), STEADY_OK);
    assert_int_equal(steady_stream_advance_take(f.rx, 0), 0);
    assert_int_equal(steady_stream_advance_take(f.rx, SIZE_MAX), 1);
    assert_int_equal(steady_stream_advance_take(f.rx, 1), 0); /* twice: nothing left */
    steady_graph_free(f.g);
}

static void row_steady_stream_try_take(void **state)
{
    (void)state;
    size_t len = 9;
    EXPECT_ERR(steady_stream_try_take(none_rx, buf, 1, &len), STEADY_EINVAL, "NULL stream end");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_try_take(f.rx, buf, 1, NULL), STEADY_EINVAL, "len is NULL");
    EXPECT_ERR(steady_stream_try_take(f.rx, NULL, 1, &len), STEADY_EINVAL, "buf is NULL");
    assert_int_equal(steady_stream_try_take(f.rx, buf, sizeof buf, &len), STEADY_EEMPTY);
    assert_int_equal(steady_stream_try_send(f.tx, "xyz", 3), STEADY_OK);
    EXPECT_ERR(steady_stream_try_take(f.rx, NULL, 0, &len), STEADY_EINVAL, "at least 3 bytes");
    assert_int_equal(len, 3);
    assert_int_equal(steady_stream_try_take(f.rx, buf, SIZE_MAX, &len), STEADY_OK);
    steady_graph_free(f.g);
}

static void row_steady_stream_take_wait(void **state)
{
    (void)state;
    size_t len;
    EXPECT_ERR(steady_stream_take_wait(NULL, none_rx, buf, 1, &len), STEADY_EINVAL,
               "NULL stream end");
    sfx f;
    sfx_make(&f);
    EXPECT_ERR(steady_stream_take_wait(NULL, f.rx, buf, sizeof buf, &len), STEADY_ENOTOWNER,
               "outside an actor");
    steady_graph_free(f.g);
}

static void row_steady_stream_tx_close(void **state)
{
    (void)state;
    EXPECT_DETAIL(assert_true(steady_stream_tx_close(none_tx)), "NULL");
    sfx f;
    sfx_make(&f);
    assert_true(steady_stream_tx_close(f.tx));
    assert_true(steady_stream_tx_close(f.tx)); /* twice */
    EXPECT_ERR(steady_stream_try_send(f.tx, buf, 1), STEADY_ECLOSED,
               "after its sending end was closed");
    steady_graph_free(f.g);
}

static void row_steady_stream_rx_close(void **state)
{
    (void)state;
    EXPECT_DETAIL(assert_true(steady_stream_rx_close(none_rx)), "NULL");
    sfx f;
    sfx_make(&f);
    assert_true(steady_stream_rx_close(f.rx));
    assert_true(steady_stream_rx_close(f.rx));
    steady_graph_free(f.g);
}

static void row_steady_stream_rx_is_closed_and_empty(void **state)
{
    (void)state;
    assert_false(steady_stream_rx_is_closed_and_empty(none_rx));
    sfx f;
    sfx_make(&f);
    assert_false(steady_stream_rx_is_closed_and_empty(f.rx));
    assert_int_equal(steady_stream_try_send(f.tx, "a", 1), STEADY_OK);
    steady_stream_tx_close(f.tx);
    assert_false(steady_stream_rx_is_closed_and_empty(f.rx)); /* one message left */
    assert_int_equal(steady_stream_advance_take(f.rx, 1), 1);
    assert_true(steady_stream_rx_is_closed_and_empty(f.rx));
    steady_graph_free(f.g);
}

const api_row api_stream_rows[] = {
    ROW(steady_stream_new),          ROW(steady_stream_try_send),
    ROW(steady__stream_send),        ROW(steady_stream_send_wait),
    ROW(steady_stream_claim),        ROW(steady_stream_claim_wait),
    ROW(steady_stream_publish),      ROW(steady_stream_peek),
    ROW(steady_stream_peek_batch),   ROW(steady_stream_peek_from),
    ROW(steady_stream_advance_take), ROW(steady_stream_try_take),
    ROW(steady_stream_take_wait),    ROW(steady_stream_tx_close),
    ROW(steady_stream_rx_close),     ROW(steady_stream_rx_is_closed_and_empty),
};
const size_t api_n_stream_rows = sizeof api_stream_rows / sizeof api_stream_rows[0];
