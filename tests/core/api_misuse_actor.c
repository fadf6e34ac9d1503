/*
 * api_misuse_actor.c: rows of the misuse table for an actor's own work: batches and the
 * transactional commit, supervision (panics, assertions, showstoppers) and arenas (see
 * api_misuse.h).
 */
#include "api_misuse.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

STEADY_CHANNEL_TYPE(u8ch, uint8_t);

/* ---- steady/batch.h -------------------------------------------------------------------------- */

static void fill(void *ctx, void *dst, size_t n)
{
    (void)ctx;
    memset(dst, 0, n * sizeof(uint64_t));
}

static void visit(void *ctx, const void *src, size_t n)
{
    (void)ctx, (void)src, (void)n;
}

static void map(void *ctx, const void *src, void *dst, size_t n)
{
    (void)ctx;
    memcpy(dst, src, n * sizeof(uint64_t));
}

static const char *produce_without_fill(steady_actor *a, fx *f)
{
    (void)a;
    steady_tx_produce(f->tx.raw, 1, NULL, NULL);
    return "went on";
}

static void row_steady_tx_produce(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    size_t n = 1;
    EXPECT_DETAIL(n = steady_tx_produce(f.tx.raw, 4, NULL, NULL), "fill is NULL");
    assert_int_equal(n, 0);
    EXPECT_DETAIL(n = steady_tx_produce(NULL, 4, fill, NULL), "poke_slice on a NULL sending end");
    assert_int_equal(n, 0);
    assert_int_equal(steady_tx_produce(f.tx.raw, 0, fill, NULL), 0);
    assert_int_equal(steady_tx_produce(f.tx.raw, SIZE_MAX, fill, NULL), 4); /* the room */
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(produce_without_fill), "steady_tx_produce: fill is NULL");
}

static void row_steady_rx_consume(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    size_t n = 1;
    EXPECT_DETAIL(n = steady_rx_consume(f.rx.raw, 4, NULL, NULL), "visit is NULL");
    assert_int_equal(n, 0);
    EXPECT_DETAIL(n = steady_rx_consume((steady_rx *)(void *)f.tx.raw, 4, visit, NULL),
                  "peek_slice on channel 'mine': that is its sending end");
    assert_int_equal(n, 0);
    assert_int_equal(steady_tx_produce(f.tx.raw, 3, fill, NULL), 3);
    assert_int_equal(steady_rx_consume(f.rx.raw, SIZE_MAX, visit, NULL), 3);
    steady_graph_free(f.g);
}

static void row_steady_map(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    size_t n = 1;
    EXPECT_DETAIL(n = steady_map(f.rx.raw, f.otx.raw, 4, NULL, NULL), "map is NULL");
    assert_int_equal(n, 0);
    EXPECT_DETAIL(n = steady_map(NULL, f.otx.raw, 4, map, NULL), "on a NULL receiving end");
    EXPECT_DETAIL(n = steady_map(f.rx.raw, NULL, 4, map, NULL), "on a NULL sending end");
    assert_int_equal(n, 0);
    assert_int_equal(steady_tx_produce(f.tx.raw, 2, fill, NULL), 2);
    assert_int_equal(steady_map(f.rx.raw, f.otx.raw, SIZE_MAX, map, NULL), 2);
    steady_graph_free(f.g);
}

static const char *commit_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_commit1(NULL, 0, NULL, 0);
    return "went on";
}

static const char *commit_theirs(steady_actor *a, fx *f)
{
    (void)a;
    size_t zero = 0;
    steady_commit(NULL, NULL, 0, &f->otx.raw, &zero, 1);
    return "went on";
}

static void row_steady_commit(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    size_t one[2] = {1, 1}, huge = SIZE_MAX;
    steady_rx *rx = f.rx.raw, *none = NULL, *twice[2] = {rx, rx};
    steady_rx *swapped = (steady_rx *)(void *)f.tx.raw;
    steady_tx *tx = f.tx.raw, *txs_twice[2] = {tx, tx};
    EXPECT_ERR(steady_commit(NULL, one, 1, NULL, NULL, 0), STEADY_EINVAL, "an array is NULL");
    EXPECT_ERR(steady_commit(&rx, NULL, 1, NULL, NULL, 0), STEADY_EINVAL, "an array is NULL");
    EXPECT_ERR(steady_commit(NULL, NULL, 0, &tx, NULL, 1), STEADY_EINVAL, "an array is NULL");
    EXPECT_ERR(steady_commit(&none, one, 1, NULL, NULL, 0), STEADY_EINVAL,
               "commit on a NULL receiving end");
    EXPECT_ERR(steady_commit(&swapped, one, 1, NULL, NULL, 0), STEADY_EINVAL,
               "commit on channel 'mine': that is its sending end");
    assert_int_equal(u64ch_tx_try_send(f.tx, 5), STEADY_OK);
    /* One end twice: each count alone fits, together they would take past the tail. */
    EXPECT_ERR(steady_commit(twice, one, 2, NULL, NULL, 0), STEADY_EINVAL,
               "is input 0 and input 1");
    EXPECT_ERR(steady_commit(NULL, NULL, 0, txs_twice, one, 2), STEADY_EINVAL,
               "is output 0 and output 1");
    EXPECT_ERR(steady_commit(&rx, &huge, 1, NULL, NULL, 0), STEADY_EINVAL,
               "which has only 1 ready");
    assert_int_equal(steady_rx_avail(rx), 1); /* nothing moved */
    EXPECT_ERR(steady_commit(NULL, NULL, 0, NULL, NULL, 0), STEADY_OK, NULL);
    fx_start(&f);
    EXPECT_ERR(steady_commit(&rx, one, 1, NULL, NULL, 0), STEADY_ENOTOWNER,
               "commit on channel 'mine' (receiving end) from outside its owner actor 'probe'");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(commit_null), "commit on a NULL receiving end");
    EXPECT_TEXT(in_actor(commit_theirs),
                "commit on channel 'theirs' (sending end), which belongs to actor 'other'");
}

static void row_steady_commit1(void **state)
{
    (void)state;
    EXPECT_ERR(steady_commit1(NULL, 0, NULL, 0), STEADY_EINVAL, "commit on a NULL receiving end");
}

/* ---- steady/supervise.h ---------------------------------------------------------------------- */

static const char *panics(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_panic("boom %d", 7);
}

static const char *volatile no_format = NULL;

static int one_is_two(void)
{
    return 1 == 2;
}

static const char *panics_without_format(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_panic(no_format, 0);
}

/* Outside an actor a panic or a failed assertion ends the process (there is no actor to fail):
 * the one abort steady makes on request (docs/reference/error.md). */
static void panic_in_main(void)
{
    steady_log_set_level(STEADY_LOG_ERROR);
    steady_panic("from main");
}

static void assert_in_main(void)
{
    steady_log_set_level(STEADY_LOG_ERROR);
    STEADY_ASSERT(one_is_two());
}

static void expect_abort(void (*fn)(void), const char *frag)
{
    char err[4096];
    int status = in_child(fn, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("the child was not ended by SIGABRT (status %#x): %s", (unsigned)status, err);
    EXPECT_TEXT(err, frag);
}

static void row_steady_panic(void **state)
{
    (void)state;
    EXPECT_TEXT(in_actor(panics), "panic: boom 7");
    EXPECT_TEXT(in_actor(panics_without_format), "panic: (no reason given: the format was NULL)");
    expect_abort(panic_in_main, "steady_panic outside an actor: from main");
}

static int panic_line;

static const char *panics_here(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    panic_line = __LINE__ + 1;
    STEADY_PANIC("boom %d", 8);
}

static const char *panics_at_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady__panic_at(NULL, -1, no_format, 0); /* no file, a negative line, no format */
}

static void panic_here_in_main(void)
{
    steady_log_set_level(STEADY_LOG_ERROR);
    STEADY_PANIC("from main, line %d", 3);
}

static void row_STEADY_PANIC(void **state)
{
    (void)state;
    const char *why = in_actor(panics_here);
    char want[64];
    snprintf(want, sizeof want, "panic: api_misuse_actor.c:%d: boom 8", panic_line);
    EXPECT_TEXT(why, want);
    expect_abort(panic_here_in_main, "steady_panic outside an actor: api_misuse_actor.c:");
}

static void row_steady__panic_at(void **state)
{
    (void)state;
    EXPECT_TEXT(in_actor(panics_at_null), "panic: ?:-1: (no reason given: the format was NULL)");
}

static const char *asserts(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    STEADY_ASSERT(one_is_two());
    return "went on";
}

static const char *asserts_without_place(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady__assert_fail(NULL, -1, NULL);
}

static void row_steady__assert_fail(void **state)
{
    (void)state;
    EXPECT_TEXT(in_actor(asserts), "assertion failed: api_misuse_actor.c:");
    EXPECT_TEXT(in_actor(asserts), ": one_is_two()");
    EXPECT_TEXT(in_actor(asserts_without_place), "assertion failed: ?:-1: ?");
    expect_abort(assert_in_main, "assertion failed outside an actor");
}

static uint64_t call_showstopper_count(void *rx)
{
    return steady_rx_showstopper_count(rx);
}

static uint64_t call_is_showstopper(void *rx)
{
    return steady_rx_is_showstopper(rx, 2);
}

static const char *showstopper_k1(steady_actor *a, fx *f)
{
    (void)a;
    steady_rx_is_showstopper(f->rx.raw, 1);
    return "went on";
}

static void row_steady_rx_showstopper_count(void **state)
{
    (void)state;
    check_end_call("showstopper_count", true, call_showstopper_count, AFTER_STOP);
}

static void row_steady_rx_is_showstopper(void **state)
{
    (void)state;
    check_end_call("is_showstopper", true, call_is_showstopper, AFTER_STOP);
    fx f;
    fx_make(&f, NULL);
    bool b = true;
    EXPECT_DETAIL(b = steady_rx_is_showstopper(f.rx.raw, 0), "k is 0; a showstopper needs k >= 2");
    assert_false(b);
    assert_false(steady_rx_is_showstopper(f.rx.raw, UINT32_MAX));
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(showstopper_k1), "k is 1; a showstopper needs k >= 2");
}

static void row_steady_rx_set_showstopper(void **state)
{
    (void)state;
    fx f;
    fx_make(&f, NULL);
    steady_graph *h = new_graph("elsewhere");
    u8ch_tx small;
    u8ch_rx small_rx;
    u64ch_tx far;
    u64ch_rx far_rx;
    assert_int_equal(u8ch_new(f.g, "small", 4, &small, &small_rx), STEADY_OK);
    assert_int_equal(u64ch_new(h, "far", 4, &far, &far_rx), STEADY_OK);
    steady_rx *rx = f.rx.raw;
    EXPECT_ERR(steady_rx_set_showstopper(NULL, 2, NULL), STEADY_EINVAL, "rx is NULL");
    EXPECT_ERR(steady_rx_set_showstopper((steady_rx *)(void *)f.tx.raw, 2, NULL), STEADY_EINVAL,
               "channel 'mine': that is its sending end");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 2, (steady_tx *)(void *)f.orx.raw), STEADY_EINVAL,
               "its dead letter is the receiving end of channel 'theirs'");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 1, NULL), STEADY_EINVAL, "threshold 1; use k >= 2");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 0, NULL), STEADY_EINVAL, "threshold 0");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 2, small.raw), STEADY_EINVAL, "1-byte elements");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 2, far.raw), STEADY_EINVAL, "another graph");
    EXPECT_ERR(steady_rx_set_showstopper(rx, 2, f.tx.raw), STEADY_EINVAL, "its own dead letter");
    EXPECT_ERR(steady_rx_set_showstopper(rx, UINT32_MAX, NULL), STEADY_OK, NULL);
    EXPECT_ERR(steady_rx_set_showstopper(rx, 3, NULL), STEADY_OK, NULL); /* twice: the last wins */
    steady_graph_free(h);
    steady_graph_free(f.g);
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_ERR(steady_rx_set_showstopper(f.rx.raw, 2, NULL), STEADY_ESTATE, "before");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

/* ---- steady/arena.h -------------------------------------------------------------------------- */

static const char *alloc_bad_sizes(steady_actor *a, fx *f)
{
    (void)f;
    bool none = !steady_arena_alloc(a, 0) && !steady_arena_alloc(a, SIZE_MAX) &&
                !steady_arena_alloc(a, SIZE_MAX - 16);
    return none ? "no block" : "a block";
}

static const char *alloc_null(steady_actor *a, fx *f)
{
    (void)a, (void)f;
    steady_arena_alloc(NULL, 8);
    return "went on";
}

static const char *alloc_other(steady_actor *a, fx *f)
{
    (void)a;
    steady_arena_alloc(f->other, 8);
    return "went on";
}

/* From main: no effect, and a detail (this used to abort the process). */
static void check_outside_actors(void (*call)(steady_actor *), const char *frag)
{
    EXPECT_DETAIL(call(NULL), frag);
    fx f;
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_DETAIL(call(f.probe), frag);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_free(f.g);
}

static void main_alloc(steady_actor *a)
{
    assert_null(steady_arena_alloc(a, 8));
}

static void row_steady_arena_alloc(void **state)
{
    (void)state;
    check_outside_actors(main_alloc, "steady_arena_alloc: called outside an actor");
    EXPECT_TEXT(in_actor(alloc_bad_sizes), "no block");
    EXPECT_TEXT(in_actor(alloc_null), "actor 'probe' used a NULL actor");
    EXPECT_TEXT(in_actor(alloc_other), "actor 'probe' used the arena of 'other'");
}

static const char *realloc_bad(steady_actor *a, fx *f)
{
    (void)f;
    uint64_t *p = steady_arena_realloc(a, NULL, sizeof *p); /* NULL: a new block */
    if (!p)
        return "no block";
    *p = 42;
    bool kept = !steady_arena_realloc(a, p, SIZE_MAX) && *p == 42;
    steady_arena_realloc(f->other, p, 16);
    return kept ? "went on" : "lost the block";
}

static void main_realloc(steady_actor *a)
{
    assert_null(steady_arena_realloc(a, NULL, 8));
}

static void row_steady_arena_realloc(void **state)
{
    (void)state;
    check_outside_actors(main_realloc, "steady_arena_alloc: called outside an actor");
    EXPECT_TEXT(in_actor(realloc_bad), "used the arena of 'other'");
}

static const char *free_other(steady_actor *a, fx *f)
{
    steady_arena_free(a, NULL); /* nothing */
    steady_arena_free(f->other, steady_arena_alloc(a, 8));
    return "went on";
}

static void main_free(steady_actor *a)
{
    steady_arena_free(a, NULL);
}

static void row_steady_arena_free(void **state)
{
    (void)state;
    check_outside_actors(main_free, "steady_arena_free: called outside an actor");
    EXPECT_TEXT(in_actor(free_other), "used the arena of 'other'");
}

static void nothing(void *ctx)
{
    (void)ctx;
}

static const char *defer_bad(steady_actor *a, fx *f)
{
    (void)f;
    if (steady_arena_defer(a, NULL, NULL) != STEADY_EINVAL)
        return "a NULL fn was taken";
    steady_arena_defer(NULL, nothing, NULL);
    return "went on";
}

static void main_defer(steady_actor *a)
{
    assert_int_equal(steady_arena_defer(a, nothing, NULL), STEADY_ENOTOWNER);
}

static void row_steady_arena_defer(void **state)
{
    (void)state;
    check_outside_actors(main_defer, "steady_arena_defer: called outside an actor");
    EXPECT_TEXT(in_actor(defer_bad), "used a NULL actor");
}

static int link_idle(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static steady_actor *link_actor(steady_graph *g, const char *name)
{
    steady_actor *a = NULL;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = name, .run = link_idle}, &a), STEADY_OK);
    return a;
}

static void row_steady_link_describe(void **state)
{
    (void)state;
    steady_graph *g = new_graph("link");
    steady_actor *a = link_actor(g, "a");
    EXPECT_ERR(steady_link_describe(NULL, "k", "e"), STEADY_EINVAL, "are needed");
    EXPECT_ERR(steady_link_describe(a, NULL, "e"), STEADY_EINVAL, "are needed");
    EXPECT_ERR(steady_link_describe(a, "k", ""), STEADY_EINVAL, "are needed");
    char huge[4096];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    EXPECT_ERR(steady_link_describe(a, huge, "e"), STEADY_EINVAL, "too long");
    assert_int_equal(steady_link_describe(a, "k", "e"), STEADY_OK);
    assert_int_equal(steady_link_describe(a, "k2", "e2"), STEADY_OK); /* twice: the last */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    EXPECT_ERR(steady_link_describe(a, "k", "e"), STEADY_ESTATE, "before steady_graph_start()");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

static void row_steady_link_set_state(void **state)
{
    (void)state;
    steady_graph *g = new_graph("link");
    steady_actor *a = link_actor(g, "a"), *b = link_actor(g, "b");
    steady_link_set_state(NULL, STEADY_LINK_UP);
    assert_last_error_mentions("the actor is NULL", NULL);
    steady_link_set_state(a, STEADY_LINK_UP); /* never described: ignored */
    assert_last_error_mentions("has no link", NULL);
    assert_int_equal(steady_link_state_get(a), STEADY_LINK_NONE);
    assert_int_equal(steady_link_describe(b, "k", "e"), STEADY_OK);
    steady_link_set_state(b, (steady_link_state)0x7fffffff); /* huge: ignored */
    assert_last_error_mentions("STEADY_LINK_UP or STEADY_LINK_DOWN", NULL);
    steady_link_set_state(b, STEADY_LINK_UP);
    steady_link_set_state(b, STEADY_LINK_UP); /* twice: still up */
    assert_int_equal(steady_link_state_get(b), STEADY_LINK_UP);
    steady_graph_free(g);
}

static void row_steady_link_state_get(void **state)
{
    (void)state;
    assert_int_equal(steady_link_state_get(NULL), STEADY_LINK_NONE);
}

static void row_steady_link_state_name(void **state)
{
    (void)state;
    assert_string_equal(steady_link_state_name((steady_link_state)-1), "?");
    assert_string_equal(steady_link_state_name((steady_link_state)0x7fffffff), "?");
    assert_string_equal(steady_link_state_name(STEADY_LINK_NONE), "none");
}

const api_row api_actor_rows[] = {
    ROW(steady_link_describe),
    ROW(steady_link_set_state),
    ROW(steady_link_state_get),
    ROW(steady_link_state_name),
    ROW(steady_tx_produce),
    ROW(steady_rx_consume),
    ROW(steady_map),
    ROW(steady_commit),
    ROW(steady_commit1),
    ROW(steady_panic),
    ROW(STEADY_PANIC),
    ROW(steady__panic_at),
    ROW(steady__assert_fail),
    ROW(steady_rx_showstopper_count),
    ROW(steady_rx_is_showstopper),
    ROW(steady_rx_set_showstopper),
    ROW(steady_arena_alloc),
    ROW(steady_arena_realloc),
    ROW(steady_arena_free),
    ROW(steady_arena_defer),
};
const size_t api_n_actor_rows = sizeof api_actor_rows / sizeof api_actor_rows[0];
