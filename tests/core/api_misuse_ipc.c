/*
 * api_misuse_ipc.c: rows of the misuse table for channels between processes (steady/ipc.h);
 * see api_misuse.h. NULL, zero, huge and badly named arguments, a started graph, a channel
 * that is not between processes, a name nobody made. ipc_test.c has the channels used well,
 * and the mapping checks (another user, another format, another element size) in full.
 */
#include "api_misuse.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ipc_name(void)
{
    static char name[64];
    static int k;
    snprintf(name, sizeof name, "/steady-misuse-%d-%d", (int)getpid(), k++);
    return name;
}

/* The rows shared by both attach calls: side 0 attaches the sending end, 1 the receiving. */
static steady_err attach(steady_graph *g, const steady_ipc_opts *o, int side, bool null_end)
{
    steady_tx *t;
    steady_rx *r;
    return side == 0 ? steady_ipc_tx_attach(g, o, null_end ? NULL : &t)
                     : steady_ipc_rx_attach(g, o, null_end ? NULL : &r);
}

static void attach_misuse(int side)
{
    const char *nm = ipc_name();
    steady_ipc_opts ok = {.name = nm, .capacity = 4, .elem_size = 8};
    steady_graph *g = new_graph("ipc-misuse");
    EXPECT_ERR(attach(NULL, &ok, side, false), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(attach(g, NULL, side, false), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(attach(g, &ok, side, true), STEADY_EINVAL, "must not be NULL");
    steady_ipc_opts o = ok;
    o.name = NULL;
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "opts.name is NULL");
    o.name = "no-slash";
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "is not a channel name");
    o = ok;
    o.elem_size = 0;
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "element size 0");
    o = ok;
    o.capacity = UINT64_MAX;
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "the capacity is too large");
    o.capacity = (uint64_t)1 << 40;
    o.elem_size = UINT32_MAX;
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "the capacity is too large");
    o = ok;
    o.capacity = 0; /* attaching only: there is nothing to attach to */
    EXPECT_ERR(attach(g, &o, side, false), STEADY_EINVAL, "there is no channel");
    steady_graph_free(g);
    fx f; /* a started graph, then a stopped one */
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_ERR(attach(f.g, &ok, side, false), STEADY_ESTATE, "before steady_graph_start");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    EXPECT_ERR(attach(f.g, &ok, side, false), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_free(f.g);
}

static void row_steady_ipc_tx_attach(void **state)
{
    (void)state;
    attach_misuse(0);
}

static void row_steady_ipc_rx_attach(void **state)
{
    (void)state;
    attach_misuse(1);
}

static bool b_;

/* The stream rows: side 0 attaches the sending end, 1 the receiving. */
static steady_err stream_attach(steady_graph *g, const steady_ipc_stream_opts *o, int side,
                                bool null_end)
{
    steady_stream_tx t;
    steady_stream_rx r;
    return side == 0 ? steady_ipc_stream_tx_attach(g, o, null_end ? NULL : &t)
                     : steady_ipc_stream_rx_attach(g, o, null_end ? NULL : &r);
}

static void stream_attach_misuse(int side)
{
    const char *nm = ipc_name();
    steady_ipc_stream_opts ok = {.name = nm, .max_messages = 4, .max_bytes = 256};
    steady_graph *g = new_graph("ipc-stream-misuse");
    EXPECT_ERR(stream_attach(NULL, &ok, side, false), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(stream_attach(g, NULL, side, false), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(stream_attach(g, &ok, side, true), STEADY_EINVAL, "must not be NULL");
    steady_ipc_stream_opts o = ok;
    o.name = NULL;
    EXPECT_ERR(stream_attach(g, &o, side, false), STEADY_EINVAL, "is not '/NAME'");
    char huge[203] = "/";
    memset(huge + 1, 'a', 200); /* a channel name, but no room for ".bytes" */
    huge[201] = 0;
    o.name = huge;
    EXPECT_ERR(stream_attach(g, &o, side, false), STEADY_EINVAL, "1 to 194");
    o = ok;
    o.max_bytes = 31;
    EXPECT_ERR(stream_attach(g, &o, side, false), STEADY_EINVAL, "give at least 32");
    o.max_bytes = UINT64_MAX;
    EXPECT_ERR(stream_attach(g, &o, side, false), STEADY_EINVAL, "the capacity is too large");
    o = ok;
    o.max_messages = o.max_bytes = 0; /* attaching only: there is nothing to attach to */
    EXPECT_ERR(stream_attach(g, &o, side, false), STEADY_EINVAL, "there is no channel");
    steady_graph_free(g);
    fx f; /* a started graph */
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_ERR(stream_attach(f.g, &ok, side, false), STEADY_ESTATE, "before steady_graph_start");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

static void row_steady_ipc_stream_tx_attach(void **state)
{
    (void)state;
    stream_attach_misuse(0);
}

static void row_steady_ipc_stream_rx_attach(void **state)
{
    (void)state;
    stream_attach_misuse(1);
}

static void row_steady_ipc_peer_attached(void **state)
{
    (void)state;
    EXPECT_DETAIL(b_ = steady_ipc_peer_attached(NULL), "the channel is NULL");
    assert_false(b_);
    steady_graph *g = new_graph("ipc-peer");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "local", 4, &tx, &rx), STEADY_OK);
    EXPECT_DETAIL(b_ = steady_ipc_peer_attached(steady_tx_channel(tx.raw)),
                  "not between processes");
    assert_false(b_);
    steady_graph_free(g);
}

static void row_steady_ipc_remove(void **state)
{
    (void)state;
    EXPECT_ERR(steady_ipc_remove(NULL), STEADY_EINVAL, "opts.name is NULL");
    EXPECT_ERR(steady_ipc_remove(""), STEADY_EINVAL, "is not a channel name");
    EXPECT_ERR(steady_ipc_remove("/a/b"), STEADY_EINVAL, "is not a channel name");
    EXPECT_ERR(steady_ipc_remove(ipc_name()), STEADY_ESYS, "No such file");
}

static void row_steady_ipc_name_ok(void **state)
{
    (void)state;
    assert_false(steady_ipc_name_ok(NULL));
    assert_false(steady_ipc_name_ok(""));
    assert_false(steady_ipc_name_ok("/"));
    assert_false(steady_ipc_name_ok("/."));
    assert_false(steady_ipc_name_ok("/.."));
    assert_false(steady_ipc_name_ok("/a/b"));
    assert_false(steady_ipc_name_ok("a"));
    assert_false(steady_ipc_name_ok("/a b"));
    char huge[203] = "/";
    memset(huge + 1, 'a', 200);
    huge[201] = 0;
    assert_true(steady_ipc_name_ok(huge)); /* 200: the longest */
    huge[201] = 'a';
    huge[202] = 0;
    assert_false(steady_ipc_name_ok(huge));
    assert_true(steady_ipc_name_ok("/lesson-03_v1.2"));
}

const api_row api_ipc_rows[] = {
    ROW(steady_ipc_name_ok),          ROW(steady_ipc_tx_attach), ROW(steady_ipc_rx_attach),
    ROW(steady_ipc_peer_attached),    ROW(steady_ipc_remove),    ROW(steady_ipc_stream_tx_attach),
    ROW(steady_ipc_stream_rx_attach),
};
const size_t api_n_ipc_rows = sizeof api_ipc_rows / sizeof api_ipc_rows[0];
