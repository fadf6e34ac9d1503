/*
 * api_misuse_build.c: rows of the misuse table for building a graph and for the queries of any
 * thread: troupes, actors (spawn with swapped ends included), bundles, channels' creation and
 * queries (see api_misuse.h).
 */
#include "api_misuse.h"

#include <limits.h>
#include <string.h>

STEADY_BUNDLE_TYPE(u32b, uint32_t);

static int quiet_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* ---- steady/actor.h -------------------------------------------------------------------------- */

static void row_steady_troupe_new(void **state)
{
    (void)state;
    steady_graph *g = new_graph("troupes");
    steady_troupe *t = NULL;
    EXPECT_ERR(steady_troupe_new(NULL, NULL, &t), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_troupe_new(g, NULL, NULL), STEADY_EINVAL, "must not be NULL");
    steady_troupe_opts o = {.name = "t", .pin = true, .core = -1};
    EXPECT_ERR(steady_troupe_new(g, &o, &t), STEADY_EINVAL, "core -1 is not a CPU number");
    o.core = INT_MAX;
    EXPECT_ERR(steady_troupe_new(g, &o, &t), STEADY_EINVAL, "is not a CPU number");
    o = (steady_troupe_opts){.name = "t", .sched = &(steady_sched){.next = NULL}};
    EXPECT_ERR(steady_troupe_new(g, &o, &t), STEADY_EINVAL,
               "has neither a next nor a pick function");
    o = (steady_troupe_opts){.name = ""};
    EXPECT_ERR(steady_troupe_new(g, &o, &t), STEADY_EINVAL, "opts.name is empty");
    EXPECT_ERR(steady_troupe_new(g, NULL, &t), STEADY_OK, NULL);
    EXPECT_ERR(steady_troupe_new(g, NULL, &t), STEADY_OK, NULL); /* twice: two troupes */
    assert_int_equal(spawn_with(g, "member", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    EXPECT_ERR(steady_troupe_new(g, NULL, &t), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

static void row_steady_actor_spawn(void **state)
{
    (void)state;
    steady_graph *g = new_graph("spawn"), *h = new_graph("elsewhere");
    steady_actor_opts o = {.name = "a", .run = quiet_run};
    EXPECT_ERR(steady_actor_spawn(NULL, &o, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_actor_spawn(g, NULL, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_actor_spawn(g, &(steady_actor_opts){.run = quiet_run}, NULL), STEADY_EINVAL,
               "needs a name");
    EXPECT_ERR(steady_actor_spawn(g, &(steady_actor_opts){.name = "", .run = quiet_run}, NULL),
               STEADY_EINVAL, "needs a name");
    EXPECT_ERR(steady_actor_spawn(g, &(steady_actor_opts){.name = "a"}, NULL), STEADY_EINVAL,
               "no run function");
    o.stack_size = SIZE_MAX;
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_EINVAL, "over the 1024 MiB limit");
    o = (steady_actor_opts){.name = "a", .run = quiet_run, .pin = true, .core = INT_MIN};
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_EINVAL, "is not a CPU number");
    o = (steady_actor_opts){.name = "a", .run = quiet_run, .state_size = SIZE_MAX};
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_ENOMEM, "state_size");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(h, "theirs", 4, &tx, &rx), STEADY_OK);
    o = (steady_actor_opts){.name = "a", .run = quiet_run, .txs = STEADY_TXS(tx)};
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_EINVAL, "belongs to another graph");
    o = (steady_actor_opts){.name = "a", .run = quiet_run};
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_OK, NULL); /* out may be NULL */
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_EEXIST, "declared twice");
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    o.name = "late";
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_free(g);
    steady_graph_free(h);
}

/* Swapped ends (C only warns about the pointer type): refused at spawn, naming the list, the
 * channel and the fix; nothing is claimed, so the right spawn then works and the graph starts
 * and stops (it used to warn and then abort at the actor's exit: exit status 134). */
enum list { TXS, RXS, TX_BUNDLES, RX_BUNDLES };

static void spawn_refused(enum list swapped, const char *frag)
{
    u64ch_tx tx;
    u64ch_rx rx;
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    steady_graph *g = new_graph("swapped");
    assert_int_equal(u64ch_new(g, "c", 4, &tx, &rx), STEADY_OK);
    steady_channel_opts lanes = {.name = "b", .capacity = 4, .elem_size = 8};
    assert_int_equal(steady_bundle_new(g, &lanes, 2, &txb, &rxb), STEADY_OK);
    steady_tx *tx_as_rx[] = {(steady_tx *)(void *)rx.raw, NULL};
    steady_rx *rx_as_tx[] = {(steady_rx *)(void *)tx.raw, NULL};
    steady_tx_bundle *txb_as_rxb[] = {(steady_tx_bundle *)(void *)rxb, NULL};
    steady_rx_bundle *rxb_as_txb[] = {(steady_rx_bundle *)(void *)txb, NULL};
    steady_actor_opts o = {.name = "x", .run = quiet_run};
    if (swapped == TXS)
        o.txs = tx_as_rx;
    else if (swapped == RXS)
        o.rxs = rx_as_tx;
    else if (swapped == TX_BUNDLES)
        o.tx_bundles = txb_as_rxb;
    else
        o.rx_bundles = rxb_as_txb;
    EXPECT_ERR(steady_actor_spawn(g, &o, NULL), STEADY_EINVAL, frag);
    steady_actor_opts right = {.name = "right",
                               .run = quiet_run,
                               .txs = STEADY_TXS(tx),
                               .rxs = STEADY_RXS(rx),
                               .tx_bundles = (steady_tx_bundle *const[]){txb, NULL},
                               .rx_bundles = (steady_rx_bundle *const[]){rxb, NULL}};
    assert_int_equal(steady_actor_spawn(g, &right, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

static void row_STEADY_TXS(void **state)
{
    (void)state;
    spawn_refused(TXS, "actor 'x': .txs[0] is the receiving end of channel 'c'; list it in .rxs");
}

static void row_STEADY_RXS(void **state)
{
    (void)state;
    spawn_refused(RXS, "actor 'x': .rxs[0] is the sending end of channel 'c'; list it in .txs");
}

static void row_STEADY_TX_BUNDLES(void **state)
{
    (void)state;
    spawn_refused(TX_BUNDLES,
                  ".tx_bundles[0] is the receiving end of bundle 'b'; list it in .rx_bundles");
}

static void row_STEADY_RX_BUNDLES(void **state)
{
    (void)state;
    spawn_refused(RX_BUNDLES,
                  ".rx_bundles[0] is the sending end of bundle 'b'; list it in .tx_bundles");
}

/* The queries of an actor: a NULL actor reads as a neutral value and leaves a detail. */
#define NULL_ACTOR_QUERY(fn, value, check)                                                         \
    static void row_##fn(void **state)                                                             \
    {                                                                                              \
        (void)state;                                                                               \
        EXPECT_DETAIL(value = fn(NULL), #fn ": the actor is NULL");                                \
        check;                                                                                     \
    }

static const char *s_;
static uint32_t u32_;
static uint64_t u64_;
static void *p_;
static bool b_;
NULL_ACTOR_QUERY(steady_actor_name, s_, assert_string_equal(s_, ""))
NULL_ACTOR_QUERY(steady_actor_label, s_, assert_string_equal(s_, ""))
NULL_ACTOR_QUERY(steady_actor_id, u32_, assert_int_equal(u32_, UINT32_MAX))
NULL_ACTOR_QUERY(steady_actor_regeneration, u32_, assert_int_equal(u32_, 0))
NULL_ACTOR_QUERY(steady_actor_args, p_, assert_null(p_))
NULL_ACTOR_QUERY(steady_actor_graph, p_, assert_null(p_))
NULL_ACTOR_QUERY(steady_actor_state, p_, assert_null(p_))
NULL_ACTOR_QUERY(steady_actor_is_member, b_, assert_false(b_))
NULL_ACTOR_QUERY(steady_actor_busy_ns, u64_, assert_int_equal(u64_, 0))
NULL_ACTOR_QUERY(steady_actor_restarts, u32_, assert_int_equal(u32_, 0))
NULL_ACTOR_QUERY(steady_actor_failures, u32_, assert_int_equal(u32_, 0))
NULL_ACTOR_QUERY(steady_actor_stopped_for_good, b_, assert_false(b_))
NULL_ACTOR_QUERY(steady_actor_last_failure, s_, assert_string_equal(s_, ""))
NULL_ACTOR_QUERY(steady_arena_bytes, u64_, assert_int_equal(u64_, 0))

static void row_steady_actor_suffix(void **state)
{
    (void)state;
    unsigned s = 7;
    EXPECT_DETAIL(b_ = steady_actor_suffix(NULL, &s), "the actor is NULL");
    assert_true(!b_ && s == 7);
    fx f;
    fx_make(&f, NULL);
    assert_false(steady_actor_suffix(f.probe, NULL)); /* suffix may be NULL */
    steady_graph_free(f.g);
}

static const char *persist_other(steady_actor *a, fx *f)
{
    (void)a;
    return steady_strerror(steady_actor_persist(f->other));
}

static void row_steady_actor_persist(void **state)
{
    (void)state;
    EXPECT_ERR(steady_actor_persist(NULL), STEADY_EINVAL, "actor is NULL");
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_actor_persist(f.probe), STEADY_EINVAL, "has no durable state");
    fx_start(&f);
    EXPECT_ERR(steady_actor_persist(f.probe), STEADY_ENOTOWNER, "only the actor itself");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    EXPECT_ERR(steady_actor_persist(f.probe), STEADY_EINVAL, "has no durable state");
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(persist_other), steady_strerror(STEADY_ENOTOWNER));
}

static const char *current_is_self(steady_actor *a, fx *f)
{
    (void)f;
    return steady_actor_current() == a ? "self" : "other";
}

static void row_steady_actor_current(void **state)
{
    (void)state;
    assert_null(steady_actor_current());
    EXPECT_TEXT(in_actor(current_is_self), "self");
}

static const char *shutdown_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_actor_request_shutdown(NULL);
    return "went on";
}

static const char *shutdown_other(steady_actor *a, fx *f)
{
    (void)a;
    steady_actor_request_shutdown(f->other);
    return "went on";
}

static void row_steady_actor_request_shutdown(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady_actor_request_shutdown(NULL), "called outside an actor");
    fx f;
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_DETAIL(steady_actor_request_shutdown(f.probe), "called outside an actor");
    assert_int_equal(steady_graph_get_state(f.g), STEADY_GRAPH_RUNNING); /* no effect */
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(shutdown_null), "called with a NULL actor");
    EXPECT_TEXT(in_actor(shutdown_other), "called with another actor's handle");
}

static const char *running_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    return STEADY_RUNNING(NULL, true) ? "running" : "stopped";
}

static const char *running_other(steady_actor *a, fx *f)
{
    (void)a;
    return STEADY_RUNNING(f->other, true) ? "running" : "stopped";
}

static void row_steady__running_phase(void **state)
{
    (void)state;
    EXPECT_DETAIL(b_ = STEADY_RUNNING(NULL, true), "STEADY_RUNNING called outside an actor");
    assert_false(b_);
    EXPECT_TEXT(in_actor(running_null), "STEADY_RUNNING called with a NULL actor");
    EXPECT_TEXT(in_actor(running_other), "STEADY_RUNNING called with another actor's handle");
}

static const char *vote_for_other(steady_actor *a, fx *f)
{
    (void)a;
    steady__vote_begin(f->other);
    return "went on";
}

static void row_steady__vote_begin(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady__vote_begin(NULL), "called outside an actor");
    EXPECT_TEXT(in_actor(vote_for_other), "another actor's handle");
}

static const char *cast_for_other(steady_actor *a, fx *f)
{
    (void)a;
    steady__cast_vote(f->other, true);
    return "went on";
}

static void row_steady__cast_vote(void **state)
{
    (void)state;
    EXPECT_DETAIL(b_ = steady__cast_vote(NULL, true), "called outside an actor");
    assert_false(b_);
    EXPECT_TEXT(in_actor(cast_for_other), "another actor's handle");
}

static void row_steady__eye(void **state)
{
    (void)state;
    assert_false(STEADY_I(1 == 2)); /* outside an actor: only the truth */
    assert_false(steady__eye(false, NULL, INT_MIN, NULL));
    assert_true(steady__eye(true, NULL, 0, NULL));
}

/* ---- steady/bundle.h ------------------------------------------------------------------------- */

static void row_steady_bundle_new(void **state)
{
    (void)state;
    steady_graph *g = new_graph("bundles");
    steady_tx_bundle *t;
    steady_rx_bundle *r;
    steady_channel_opts o = {.name = "b", .capacity = 4, .elem_size = 8};
    EXPECT_ERR(steady_bundle_new(NULL, &o, 1, &t, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_bundle_new(g, NULL, 1, &t, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_bundle_new(g, &o, 1, NULL, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_bundle_new(g, &o, 1, &t, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_bundle_new(g, &o, 0, &t, &r), STEADY_EINVAL, "0 lanes; give 1 to");
    EXPECT_ERR(steady_bundle_new(g, &o, UINT32_MAX, &t, &r), STEADY_EINVAL, "lanes; give 1 to");
    o.capacity = 0;
    EXPECT_ERR(steady_bundle_new(g, &o, 2, &t, &r), STEADY_EINVAL, "channel 'b[0]': capacity 0");
    o.capacity = UINT64_MAX;
    EXPECT_ERR(steady_bundle_new(g, &o, 2, &t, &r), STEADY_EINVAL, "too large");
    o.capacity = 4;
    assert_int_equal(spawn_with(g, "idle", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    EXPECT_ERR(steady_bundle_new(g, &o, 2, &t, &r), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

/* split: NULL, out of range, the other kind, twice (a bundle no actor has yet), then after
 * spawn and after start (the fixture's). */
static void row_steady_tx_bundle_split(void **state)
{
    (void)state;
    steady_graph *g = new_graph("split");
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    steady_tx *t;
    steady_channel_opts o = {.name = "b", .capacity = 4, .elem_size = 8};
    assert_int_equal(steady_bundle_new(g, &o, 2, &txb, &rxb), STEADY_OK);
    EXPECT_ERR(steady_tx_bundle_split(NULL, 0, &t), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tx_bundle_split(txb, 0, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tx_bundle_split(txb, UINT32_MAX, &t), STEADY_EINVAL, "no lane 4294967295");
    EXPECT_ERR(steady_tx_bundle_split((steady_tx_bundle *)(void *)rxb, 0, &t), STEADY_EINVAL,
               "that is its receiving end");
    EXPECT_ERR(steady_tx_bundle_split(txb, 1, &t), STEADY_OK, NULL);
    EXPECT_ERR(steady_tx_bundle_split(txb, 1, &t), STEADY_EINVAL, "already split out"); /* twice */
    steady_graph_free(g);
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_tx_bundle_split(f.txb, 0, &t), STEADY_EBOUND, "already given to actor");
    fx_start(&f);
    EXPECT_ERR(steady_tx_bundle_split(f.txb, 0, &t), STEADY_ESTATE, "before steady_graph_start");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

static void row_steady_rx_bundle_split(void **state)
{
    (void)state;
    steady_graph *g = new_graph("split");
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    steady_rx *r;
    steady_channel_opts o = {.name = "b", .capacity = 4, .elem_size = 8};
    assert_int_equal(steady_bundle_new(g, &o, 2, &txb, &rxb), STEADY_OK);
    EXPECT_ERR(steady_rx_bundle_split(NULL, 0, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_rx_bundle_split(rxb, 0, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_rx_bundle_split(rxb, 2, &r), STEADY_EINVAL, "no lane 2");
    EXPECT_ERR(steady_rx_bundle_split((steady_rx_bundle *)(void *)txb, 0, &r), STEADY_EINVAL,
               "that is its sending end");
    steady_graph_free(g);
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_rx_bundle_split(f.rxb, 0, &r), STEADY_EBOUND, "already given to actor");
    steady_graph_free(f.g);
}

/* join: NULL, 0 and huge counts, a NULL end, the other kind, twice the same, another graph. */
static void row_steady_tx_bundle_join(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    steady_graph *h = new_graph("elsewhere");
    u64ch_tx far;
    u64ch_rx far_rx;
    assert_int_equal(u64ch_new(h, "far", 4, &far, &far_rx), STEADY_OK);
    steady_tx_bundle *b;
    steady_tx *ends[] = {f.tx.raw, f.otx.raw};
    EXPECT_ERR(steady_tx_bundle_join(NULL, "j", ends, 2, &b), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tx_bundle_join(f.g, "j", NULL, 2, &b), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tx_bundle_join(f.g, "j", ends, 2, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_tx_bundle_join(f.g, "j", ends, 0, &b), STEADY_EINVAL, "0 lanes");
    EXPECT_ERR(steady_tx_bundle_join(f.g, "j", ends, UINT32_MAX, &b), STEADY_EINVAL, "give 1 to");
    steady_tx *bad[][2] = {{NULL, f.tx.raw},
                           {(steady_tx *)(void *)f.rx.raw, f.tx.raw},
                           {f.tx.raw, f.tx.raw},
                           {f.tx.raw, far.raw}};
    const char *why[] = {"lane 0 is NULL", "lane 0 is the receiving end of channel 'mine'",
                         "is both lane 0 and lane 1", "belongs to another graph"};
    for (int i = 0; i < 4; i++)
        EXPECT_ERR(steady_tx_bundle_join(f.g, "j", bad[i], 2, &b), STEADY_EINVAL, why[i]);
    EXPECT_ERR(steady_tx_bundle_join(f.g, NULL, ends, 2, &b), STEADY_OK, NULL); /* NULL name */
    steady_graph_free(f.g);
    steady_graph_free(h);
}

static void row_steady_rx_bundle_join(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    steady_rx_bundle *b;
    steady_rx *ends[] = {f.rx.raw, (steady_rx *)(void *)f.otx.raw};
    EXPECT_ERR(steady_rx_bundle_join(f.g, "j", ends, 2, &b), STEADY_EINVAL,
               "lane 1 is the sending end of channel 'theirs'");
    EXPECT_ERR(steady_rx_bundle_join(f.g, "j", ends, 0, &b), STEADY_EINVAL, "0 lanes");
    EXPECT_ERR(steady_rx_bundle_join(f.g, "j", NULL, 1, &b), STEADY_EINVAL, "must not be NULL");
    fx_start(&f);
    EXPECT_ERR(steady_rx_bundle_join(f.g, "j", ends, 1, &b), STEADY_ESTATE, "before");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

/* The typed joins: also the element size of every lane. */
static void row_steady__tx_bundle_join_typed(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    u32b_tx_bundle b;
    u32b_tx ends[] = {{f.tx.raw}};
    EXPECT_ERR(u32b_tx_bundle_join(f.g, "j", ends, 1, &b), STEADY_EINVAL,
               "holds 8-byte elements, not 4");
    EXPECT_ERR(u32b_tx_bundle_join(f.g, "j", ends, 1, NULL), STEADY_EINVAL, "must not be NULL");
    steady_graph_free(f.g);
}

static void row_steady__rx_bundle_join_typed(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    u32b_rx_bundle b;
    u32b_rx ends[] = {{f.rx.raw}, {NULL}};
    EXPECT_ERR(u32b_rx_bundle_join(f.g, "j", ends, 2, &b), STEADY_EINVAL, "holds 8-byte");
    EXPECT_ERR(u32b_rx_bundle_join(f.g, "j", ends + 1, 1, &b), STEADY_EINVAL, "lane 0 is NULL");
    steady_graph_free(f.g);
}

/* The inline lane queries: a NULL bundle end reads as 0 lanes, no lane, the name "". */
static void row_steady_tx_bundle_lanes(void **state)
{
    (void)state;
    assert_int_equal(steady_tx_bundle_lanes(NULL), 0);
}
static void row_steady_rx_bundle_lanes(void **state)
{
    (void)state;
    assert_int_equal(steady_rx_bundle_lanes(NULL), 0);
}
static void row_steady_tx_bundle_lane(void **state)
{
    (void)state;
    assert_null(steady_tx_bundle_lane(NULL, 0));
    fx f;
    fx_make(&f, NULL);
    assert_null(steady_tx_bundle_lane(f.txb, UINT32_MAX));
    steady_graph_free(f.g);
}
static void row_steady_rx_bundle_lane(void **state)
{
    (void)state;
    assert_null(steady_rx_bundle_lane(NULL, 0));
    fx f;
    fx_make(&f, NULL);
    assert_null(steady_rx_bundle_lane(f.rxb, 2));
    steady_graph_free(f.g);
}
static void row_steady_tx_bundle_name(void **state)
{
    (void)state;
    assert_string_equal(steady_tx_bundle_name(NULL), "");
}
static void row_steady_rx_bundle_name(void **state)
{
    (void)state;
    assert_string_equal(steady_rx_bundle_name(NULL), "");
}

static void row_STEADY_BUNDLE_TYPE(void **state)
{
    (void)state;
    u32b_tx_bundle none = {NULL};
    assert_int_equal(u32b_tx_bundle_lanes(none), 0);
    assert_null(u32b_tx_bundle_lane(none, 0).raw);
    EXPECT_ERR(u32b_tx_bundle_split(none, 0, NULL), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(u32b_bundle_new(NULL, "b", 1, 4, NULL, NULL), STEADY_EINVAL, "must not be NULL");
}

/* ---- steady/channel.h: creation and queries ---------------------------------------------------
 */

static void row_steady_channel_new(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    steady_tx *t;
    steady_rx *r;
    steady_channel_opts o = {.name = "c", .capacity = 4, .elem_size = 8};
    EXPECT_ERR(steady_channel_new(NULL, &o, &t, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_channel_new(f.g, NULL, &t, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_channel_new(f.g, &o, NULL, &r), STEADY_EINVAL, "must not be NULL");
    EXPECT_ERR(steady_channel_new(f.g, &o, &t, NULL), STEADY_EINVAL, "must not be NULL");
    steady_channel_opts bad[] = {
        {"c", 0, 8}, {"c", 4, 0}, {"c", UINT64_MAX, 8}, {"c", (uint64_t)1 << 40, UINT32_MAX}};
    const char *why[] = {"capacity 0", "element size 0", "too large", "too large"};
    for (int i = 0; i < 4; i++)
        EXPECT_ERR(steady_channel_new(f.g, &bad[i], &t, &r), STEADY_EINVAL, why[i]);
    steady_channel_opts unnamed = {"", 4, 8};
    EXPECT_ERR(steady_channel_new(f.g, &unnamed, &t, &r), STEADY_EINVAL, "opts.name is empty");
    fx_start(&f);
    EXPECT_ERR(steady_channel_new(f.g, &o, &t, &r), STEADY_ESTATE, "before steady_graph_start");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    EXPECT_ERR(steady_channel_new(f.g, &o, &t, &r), STEADY_ESTATE, "before steady_graph_start");
    steady_graph_free(f.g);
}

static void row_steady_channel_name(void **state)
{
    (void)state;
    EXPECT_DETAIL(s_ = steady_channel_name(NULL), "the channel is NULL");
    assert_string_equal(s_, "");
}

static void row_steady_tx_channel(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(p_ = steady_tx_channel(NULL), "steady_tx_channel: NULL");
    assert_null(p_);
    EXPECT_DETAIL(p_ = steady_tx_channel((steady_tx *)(void *)f.rx.raw), "a receiving end");
    assert_null(p_);
    steady_graph_free(f.g);
}

static void row_steady_rx_channel(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(p_ = steady_rx_channel(NULL), "steady_rx_channel: NULL");
    assert_null(p_);
    EXPECT_DETAIL(p_ = steady_rx_channel((steady_rx *)(void *)f.tx.raw), "a sending end");
    assert_null(p_);
    steady_graph_free(f.g);
}

#define NULL_CHANNEL_QUERY(fn)                                                                     \
    static void row_##fn(void **state)                                                             \
    {                                                                                              \
        (void)state;                                                                               \
        EXPECT_DETAIL(u64_ = fn(NULL), #fn ": the channel is NULL");                               \
        assert_int_equal(u64_, 0);                                                                 \
    }
NULL_CHANNEL_QUERY(steady_channel_sent_total)
NULL_CHANNEL_QUERY(steady_channel_taken_total)
NULL_CHANNEL_QUERY(steady_channel_capacity)
NULL_CHANNEL_QUERY(steady_channel_elem_size)
NULL_CHANNEL_QUERY(steady_channel_showstoppers)
NULL_CHANNEL_QUERY(steady_channel_showstoppers_dropped)

const api_row api_build_rows[] = {
    ROW(steady_troupe_new),
    ROW(steady_actor_spawn),
    ROW(STEADY_TXS),
    ROW(STEADY_RXS),
    ROW(STEADY_TX_BUNDLES),
    ROW(STEADY_RX_BUNDLES),
    ROW(steady_actor_name),
    ROW(steady_actor_label),
    ROW(steady_actor_suffix),
    ROW(steady_actor_id),
    ROW(steady_actor_regeneration),
    ROW(steady_actor_args),
    ROW(steady_actor_graph),
    ROW(steady_actor_is_member),
    ROW(steady_actor_state),
    ROW(steady_actor_persist),
    ROW(steady_actor_busy_ns),
    ROW(steady_actor_current),
    ROW(steady_actor_request_shutdown),
    ROW(steady__running_phase),
    ROW(steady__vote_begin),
    ROW(steady__cast_vote),
    ROW(steady__eye),
    ROW(steady_actor_restarts),
    ROW(steady_actor_failures),
    ROW(steady_actor_stopped_for_good),
    ROW(steady_actor_last_failure),
    ROW(steady_arena_bytes),
    ROW(steady_bundle_new),
    ROW(steady_tx_bundle_split),
    ROW(steady_rx_bundle_split),
    ROW(steady_tx_bundle_join),
    ROW(steady_rx_bundle_join),
    ROW(steady__tx_bundle_join_typed),
    ROW(steady__rx_bundle_join_typed),
    ROW(steady_tx_bundle_lanes),
    ROW(steady_rx_bundle_lanes),
    ROW(steady_tx_bundle_lane),
    ROW(steady_rx_bundle_lane),
    ROW(steady_tx_bundle_name),
    ROW(steady_rx_bundle_name),
    ROW(STEADY_BUNDLE_TYPE),
    ROW(steady_channel_new),
    ROW(steady_channel_name),
    ROW(steady_tx_channel),
    ROW(steady_rx_channel),
    ROW(steady_channel_sent_total),
    ROW(steady_channel_taken_total),
    ROW(steady_channel_capacity),
    ROW(steady_channel_elem_size),
    ROW(steady_channel_showstoppers),
    ROW(steady_channel_showstoppers_dropped),
};
const size_t api_n_build_rows = sizeof api_build_rows / sizeof api_build_rows[0];
