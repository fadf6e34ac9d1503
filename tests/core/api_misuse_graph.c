/*
 * api_misuse_graph.c: rows of the misuse table for the calls about the process and the graph as
 * a whole: errors, the allocator, the clock, graphs, logs (see api_misuse.h).
 */
#include "api_misuse.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- steady/error.h -------------------------------------------------------------------------- */

static void row_steady_strerror(void **state)
{
    (void)state;
    assert_string_equal(steady_strerror((steady_err)-1), "unknown error");
    assert_string_equal(steady_strerror((steady_err)INT_MAX), "unknown error");
    for (int e = STEADY_OK; e <= STEADY_ESHUTDOWN; e++)
        assert_string_not_equal(steady_strerror((steady_err)e), "unknown error");
}

static void row_steady_last_error(void **state)
{
    (void)state;
    steady__clear_error();
    assert_string_equal(steady_last_error(), "");
    EXPECT_ERR(steady_graph_new(NULL, NULL), STEADY_EINVAL, "out must not be NULL");
    steady_graph_free(new_graph("fine")); /* a success leaves the detail as it was */
    EXPECT_TEXT(steady_last_error(), "out must not be NULL");
}

static void row_steady_error_set(void **state)
{
    (void)state;
    assert_int_equal(steady_error_set(STEADY_ESYS, "bridge '%s': %d", "b", 7), STEADY_ESYS);
    assert_string_equal(steady_last_error(), "bridge 'b': 7");
    const char *none = NULL;
    assert_int_equal(steady_error_set((steady_err)-1, none, 0), (steady_err)-1);
    assert_string_equal(steady_last_error(), "");
    char huge[4096];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    steady_error_set(STEADY_EINVAL, "%s", huge); /* truncated, still a string */
    assert_true(strlen(steady_last_error()) > 0 && strlen(steady_last_error()) < sizeof huge);
}

/* ---- steady/alloc.h -------------------------------------------------------------------------- */

static void *no_alloc(void *ctx, size_t size, size_t align)
{
    (void)ctx, (void)size, (void)align;
    return NULL;
}

static void plain_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static void row_steady_set_allocator(void **state)
{
    (void)state;
    EXPECT_ERR(steady_set_allocator(&(steady_allocator){NULL, plain_free, NULL}), STEADY_EINVAL,
               "alloc is NULL");
    EXPECT_ERR(steady_set_allocator(&(steady_allocator){no_alloc, NULL, NULL}), STEADY_EINVAL,
               "free is NULL");
    steady_graph *g = new_graph("holder");
    EXPECT_ERR(steady_set_allocator(NULL), STEADY_ESTATE, "a graph exists");
    steady_graph_free(g);
    EXPECT_ERR(steady_set_allocator(&(steady_allocator){no_alloc, plain_free, NULL}), STEADY_OK,
               NULL);
    EXPECT_ERR(steady_graph_new(&g, NULL), STEADY_ENOMEM, "out of memory");
    EXPECT_ERR(steady_set_allocator(NULL), STEADY_OK, NULL);
    EXPECT_ERR(steady_set_allocator(NULL), STEADY_OK, NULL); /* twice */
}

/* ---- steady/clock.h -------------------------------------------------------------------------- */

static void row_steady_clock_monotonic_ns(void **state)
{
    (void)state;
    int ctx;
    uint64_t a = steady_clock_monotonic_ns(NULL), b = steady_clock_monotonic_ns(&ctx);
    assert_true(a > 0 && b >= a); /* ctx is not used */
}

static void row_steady_graph_poke(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady_graph_poke(NULL), "steady_graph_poke: the graph is NULL");
    fx f;
    fx_make(&f, NULL);
    steady_graph_poke(f.g); /* building, running and stopped: nothing to wake, nothing breaks */
    fx_start(&f);
    steady_graph_poke(f.g);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    steady_graph_poke(f.g);
    steady_graph_free(f.g);
}

static void row_steady_sched_describe(void **state)
{
    (void)state;
    char buf[64] = "x";
    /* Outside a scheduler's callback (here: main), whatever the arguments: refused. NULL, zero,
     * huge and a member out of range inside a callback are tests/core/plug_test.c's. */
    EXPECT_DETAIL(assert_int_equal(steady_sched_describe(0, buf, sizeof buf), 0),
                  "steady_sched_describe: called outside a scheduler callback");
    assert_string_equal(buf, "x"); /* nothing written */
    EXPECT_DETAIL(assert_int_equal(steady_sched_describe(0, NULL, 0), 0),
                  "called outside a scheduler callback");
    EXPECT_DETAIL(assert_int_equal(steady_sched_describe(SIZE_MAX, NULL, SIZE_MAX), 0),
                  "called outside a scheduler callback");
}

static void row_STEADY_SEC(void **state)
{
    (void)state;
    assert_true(STEADY_SEC(UINT64_MAX) == UINT64_MAX && STEADY_SEC(UINT64_MAX / 2) == UINT64_MAX);
    assert_true(STEADY_MS(UINT64_MAX) == UINT64_MAX && STEADY_US(UINT64_MAX) == UINT64_MAX);
    assert_true(STEADY_NS(UINT64_MAX) == UINT64_MAX && STEADY_SEC(0) == 0);
}

/* ---- steady/graph.h -------------------------------------------------------------------------- */

static void row_steady_graph_new(void **state)
{
    (void)state;
    steady_graph *g = NULL;
    EXPECT_ERR(steady_graph_new(NULL, NULL), STEADY_EINVAL, "out must not be NULL");
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.jitter_pct = UINT32_MAX;
    EXPECT_ERR(steady_graph_new(&g, &(steady_graph_opts){.policy = &p}), STEADY_EINVAL,
               "jitter_pct");
    EXPECT_ERR(steady_graph_new(&g, &(steady_graph_opts){.clock = &(steady_clock){NULL, NULL}}),
               STEADY_EINVAL, "opts.clock has no now_ns");
    EXPECT_ERR(steady_graph_new(&g, &(steady_graph_opts){.default_stack_size = SIZE_MAX}),
               STEADY_EINVAL, "over the 1024 MiB limit");
    EXPECT_ERR(steady_graph_new(&g, &(steady_graph_opts){.name = ""}), STEADY_EINVAL,
               "opts.name is empty");
    assert_null(g);
    steady_graph *h = new_graph("first"), *i = new_graph("first"); /* twice: two graphs */
    assert_ptr_not_equal(h, i);
    steady_graph_free(h);
    steady_graph_free(i);
}

static void row_steady_graph_start(void **state)
{
    (void)state;
    EXPECT_ERR(steady_graph_start(NULL), STEADY_EINVAL, "graph is NULL");
    steady_graph *g = new_graph("empty");
    EXPECT_ERR(steady_graph_start(g), STEADY_EINVAL, "has no actors");
    steady_graph_free(g);
    g = new_graph_opts(
        &(steady_graph_opts){.shutdown_barrier = UINT_MAX, .no_signal_handlers = true});
    assert_int_equal(spawn_with(g, "lonely", NULL, NULL, NULL, NULL), STEADY_OK);
    EXPECT_ERR(steady_graph_start(g), STEADY_EINVAL, "can never be reached");
    steady_graph_free(g);
    fx f;
    fx_make(&f, NULL);
    fx_start(&f);
    EXPECT_ERR(steady_graph_start(f.g), STEADY_ESTATE, "was already started (it is Running)");
    assert_int_equal(fx_stop(&f), STEADY_OK);
    EXPECT_ERR(steady_graph_start(f.g), STEADY_ESTATE, "was already started (it is Stopped)");
    steady_graph_free(f.g);
}

static void row_steady_graph_request_shutdown(void **state)
{
    (void)state;
    EXPECT_DETAIL(steady_graph_request_shutdown(NULL), "the graph is NULL");
    fx f;
    fx_make(&f, NULL);
    steady_graph_request_shutdown(f.g); /* before start: ignored */
    assert_int_equal(steady_graph_get_state(f.g), STEADY_GRAPH_BUILDING);
    fx_start(&f);
    steady_graph_request_shutdown(f.g);
    steady_graph_request_shutdown(f.g); /* twice */
    assert_int_equal(steady_graph_block_until_stopped(f.g, 10000), STEADY_OK);
    steady_graph_request_shutdown(f.g); /* after the stop */
    assert_int_equal(steady_graph_get_state(f.g), STEADY_GRAPH_STOPPED);
    steady_graph_free(f.g);
}

static const char *block_own_graph(steady_actor *a, fx *f)
{
    (void)f;
    steady_graph_block_until_stopped(steady_actor_graph(a), 0);
    return "went on";
}

static void row_steady_graph_block_until_stopped(void **state)
{
    (void)state;
    EXPECT_ERR(steady_graph_block_until_stopped(NULL, 0), STEADY_EINVAL, "graph is NULL");
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_graph_block_until_stopped(f.g, 0), STEADY_ESTATE, "never started");
    fx_start(&f);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(f.g, INT64_MIN), STEADY_OK); /* twice */
    steady_graph_free(f.g);
    EXPECT_TEXT(in_actor(block_own_graph), "would wait for its own actor");
}

static void row_steady_graph_get_state(void **state)
{
    (void)state;
    steady_graph_state s = STEADY_GRAPH_RUNNING;
    EXPECT_DETAIL(s = steady_graph_get_state(NULL), "steady_graph_get_state: the graph is NULL");
    assert_int_equal(s, STEADY_GRAPH_STOPPED_UNCLEANLY);
}

static void row_steady_graph_state_name(void **state)
{
    (void)state;
    assert_string_equal(steady_graph_state_name((steady_graph_state)-1), "?");
    assert_string_equal(steady_graph_state_name((steady_graph_state)INT_MAX), "?");
}

static void row_steady_graph_report(void **state)
{
    (void)state;
    char buf[8] = "x";
    size_t n = 1;
    EXPECT_DETAIL(n = steady_graph_report(NULL, buf, sizeof buf), "the graph is NULL");
    assert_true(n == 0 && buf[0] == '\0');
    assert_int_equal(steady_graph_report(NULL, NULL, SIZE_MAX), 0); /* no buffer: nothing written */
    fx f;
    fx_make(&f, NULL);
    assert_int_equal(steady_graph_report(f.g, NULL, SIZE_MAX), 0); /* no stop yet */
    fx_start(&f);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    size_t need = steady_graph_report(f.g, NULL, 0);
    assert_true(need > 0);
    assert_int_equal(steady_graph_report(f.g, buf, 1), need); /* truncated to "" */
    assert_string_equal(buf, "");
    steady_graph_free(f.g);
}

static void row_steady_graph_futex_wakes(void **state)
{
    (void)state;
    uint64_t n = 1;
    EXPECT_DETAIL(n = steady_graph_futex_wakes(NULL), "the graph is NULL");
    assert_int_equal(n, 0);
}

/* The inspect rows: NULL graph, NULL out with room asked for, zero and huge caps, on a graph
 * being built and on a stopped one (both answer: the records are the graph's, not the run's). */
static void inspect_lists_bad_input(size_t (*list)(const steady_graph *, void *, size_t),
                                    size_t one)
{
    EXPECT_DETAIL(assert_int_equal(list(NULL, NULL, 0), 0), "the graph is NULL");
    EXPECT_DETAIL(assert_int_equal(list(NULL, NULL, SIZE_MAX), 0), "the graph is NULL");
    fx f;
    fx_make(&f, NULL);
    size_t n = list(f.g, NULL, 0);
    EXPECT_DETAIL(assert_int_equal(list(f.g, NULL, SIZE_MAX), 0), "out is NULL");
    unsigned char *room = test_malloc(one * (n + 1));
    assert_int_equal(list(f.g, room, 0), n);
    assert_int_equal(list(f.g, room, n + 1), n);
    fx_start(&f);
    assert_int_equal(fx_stop(&f), STEADY_OK);
    assert_int_equal(list(f.g, room, n + 1), n); /* still readable after the stop */
    test_free(room);
    steady_graph_free(f.g);
}

static size_t actors_(const steady_graph *g, void *o, size_t c)
{
    return steady_inspect_actors(g, o, c);
}
static size_t troupes_(const steady_graph *g, void *o, size_t c)
{
    return steady_inspect_troupes(g, o, c);
}
static size_t channels_(const steady_graph *g, void *o, size_t c)
{
    return steady_inspect_channels(g, o, c);
}

static void row_steady_inspect_actors(void **state)
{
    (void)state;
    inspect_lists_bad_input(actors_, sizeof(steady_actor_info));
}

static void row_steady_inspect_troupes(void **state)
{
    (void)state;
    inspect_lists_bad_input(troupes_, sizeof(steady_troupe_info));
}

static void row_steady_inspect_channels(void **state)
{
    (void)state;
    inspect_lists_bad_input(channels_, sizeof(steady_channel_info));
}

static void row_steady_inspect_graph(void **state)
{
    (void)state;
    steady_graph_info gi;
    EXPECT_ERR(steady_inspect_graph(NULL, &gi), STEADY_EINVAL, "must not be NULL");
    fx f;
    fx_make(&f, NULL);
    EXPECT_ERR(steady_inspect_graph(f.g, NULL), STEADY_EINVAL, "must not be NULL");
    assert_int_equal(steady_inspect_graph(f.g, &gi), STEADY_OK);
    assert_int_equal(gi.state, STEADY_GRAPH_BUILDING);
    steady_graph_free(f.g);
}

static void row_steady_inspect_latency(void **state)
{
    (void)state;
    uint64_t cursor = 0, out[4];
    EXPECT_DETAIL(assert_int_equal(steady_inspect_latency(NULL, 0, &cursor, out, 4), 0),
                  "the graph is NULL");
    fx f;
    fx_make(&f, NULL);
    EXPECT_DETAIL(assert_int_equal(steady_inspect_latency(f.g, 0, NULL, out, 4), 0),
                  "cursor is NULL");
    EXPECT_DETAIL(assert_int_equal(steady_inspect_latency(f.g, UINT32_MAX, &cursor, out, 4), 0),
                  "no channel with that id");
    EXPECT_DETAIL(assert_int_equal(steady_inspect_latency(f.g, 0, &cursor, NULL, SIZE_MAX), 0),
                  "out_ns is NULL");
    assert_int_equal(steady_inspect_latency(f.g, 0, &cursor, out, SIZE_MAX), 0); /* none yet */
    steady_graph_free(f.g);
}

static void row_steady_placement_name(void **state)
{
    (void)state;
    assert_string_equal(steady_placement_name((steady_placement)-1), "unknown");
    assert_string_equal(steady_placement_name((steady_placement)INT_MAX), "unknown");
    assert_string_equal(steady_placement_name(STEADY_PLACEMENT_SOLO), "solo");
}

static void row_steady_actor_phase_name(void **state)
{
    (void)state;
    assert_string_equal(steady_actor_phase_name((steady_actor_phase)-1), "unknown");
    assert_string_equal(steady_actor_phase_name((steady_actor_phase)INT_MAX), "unknown");
    assert_string_equal(steady_actor_phase_name(STEADY_ACTOR_RUNNING), "running");
}

static void row_steady_graph_args(void **state)
{
    (void)state;
    void *p = &p;
    EXPECT_DETAIL(p = steady_graph_args(NULL), "the graph is NULL");
    assert_null(p);
}

static void row_steady_graph_hooks_of(void **state)
{
    (void)state;
    const steady_graph_hooks *h = (const steady_graph_hooks *)&h;
    EXPECT_DETAIL(h = steady_graph_hooks_of(NULL), "the graph is NULL");
    assert_null(h);
    steady_graph *g = new_graph("no-hooks"); /* none given: all zero, never NULL */
    h = steady_graph_hooks_of(g);
    assert_non_null(h);
    assert_true(!h->spawn && !h->spawn_ctx && !h->one_thread && !h->sched && !h->failures_stop &&
                !h->test_graph);
    steady_graph_free(g);
    steady_sched none = {.next = NULL};
    steady_graph *bad = NULL;
    EXPECT_ERR(steady_graph_new(
                   &bad, &(steady_graph_opts){.hooks = &(steady_graph_hooks){.sched = &none}}),
               STEADY_EINVAL, "opts.hooks->sched has neither a next nor a pick function");
}

static const char *free_own_graph(steady_actor *a, fx *f)
{
    (void)f;
    steady_graph_free(steady_actor_graph(a));
    return "went on";
}

static void row_steady_graph_free(void **state)
{
    (void)state;
    steady_graph_free(NULL);
    fx f;
    fx_make(&f, NULL);
    fx_start(&f);
    steady_graph_free(f.g); /* while running: stops it first */
    EXPECT_TEXT(in_actor(free_own_graph), "would wait for its own actor");
}

/* ---- steady/log.h ---------------------------------------------------------------------------- */

static void row_steady_log_set_level(void **state)
{
    (void)state;
    steady_log_level was = steady_log_get_level();
    EXPECT_DETAIL(steady_log_set_level((steady_log_level)99), "99 is not a level");
    EXPECT_DETAIL(steady_log_set_level((steady_log_level)-1), "-1 is not a level");
    assert_int_equal(steady_log_get_level(), was); /* unchanged */
}

static void row_steady_log_get_level(void **state)
{
    (void)state;
    assert_true((unsigned)steady_log_get_level() <= STEADY_LOG_TRACE);
}

static void row_steady_log_parse_level(void **state)
{
    (void)state;
    steady_log_level l = STEADY_LOG_INFO;
    char longest[600];
    memset(longest, 'x', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    EXPECT_ERR(steady_log_parse_level(NULL, &l), STEADY_EINVAL, "'(null)' is not one of");
    EXPECT_ERR(steady_log_parse_level("info", NULL), STEADY_EINVAL, "out must not be NULL");
    EXPECT_ERR(steady_log_parse_level("", &l), STEADY_EINVAL, "is not one of");
    EXPECT_ERR(steady_log_parse_level(longest, &l), STEADY_EINVAL, "log level 'xxx");
    EXPECT_ERR(steady_log_parse_level("WARNING", &l), STEADY_OK, NULL);
    assert_int_equal(l, STEADY_LOG_WARN);
}

static void row_steady_log_level_name(void **state)
{
    (void)state;
    assert_string_equal(steady_log_level_name((steady_log_level)-1), "?");
    assert_string_equal(steady_log_level_name((steady_log_level)INT_MAX), "?");
}

static void row_steady_log_set_sink(void **state)
{
    (void)state;
    steady_log_level was = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_ERROR);
    capture_start();
    steady_log_set_sink(capture_sink, NULL); /* twice */
    STEADY_ERROR("to the sink");
    steady_log_set_sink(NULL, &was); /* NULL: stderr again, whatever the ctx */
    capture_stop();
    steady_log_set_level(was);
    EXPECT_TEXT(captured, "to the sink");
}

/* A NULL format, file and an out-of-range level: logged as "(NULL format)", or not at all. */
static const char *volatile no_format = NULL;

static void log_v(steady_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    steady_log_vwrite(level, NULL, -1, fmt, ap);
    va_end(ap);
}

static void logs_bad_input(void (*write)(steady_log_level, const char *))
{
    steady_log_level was = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_TRACE);
    capture_start();
    write(STEADY_LOG_ERROR, no_format);
    write((steady_log_level)99, "zz-above-the-range");
    write((steady_log_level)-1, "zz-below-the-range");
    write(STEADY_LOG_OFF, "zz-at-off");
    capture_stop();
    steady_log_set_level(was);
    EXPECT_TEXT(captured, "(NULL format)");
    EXPECT_TEXT(captured, "[?:");
    assert_null(strstr(captured, "zz-"));
}

static void write_l(steady_log_level l, const char *fmt)
{
    steady_log_write(l, NULL, 0, fmt, 0);
}

static void write_v(steady_log_level l, const char *fmt)
{
    log_v(l, fmt, 0);
}

static void row_steady_log_write(void **state)
{
    (void)state;
    logs_bad_input(write_l);
}

static void row_steady_log_vwrite(void **state)
{
    (void)state;
    logs_bad_input(write_v);
}

static void row_steady__log_enabled(void **state)
{
    (void)state;
    assert_false(steady__log_enabled(STEADY_LOG_OFF));
    assert_false(steady__log_enabled((steady_log_level)-1));
    assert_false(steady__log_enabled((steady_log_level)INT_MAX));
}

const api_row api_graph_rows[] = {
    ROW(steady_strerror),
    ROW(steady_last_error),
    ROW(steady_error_set),
    ROW(steady_set_allocator),
    ROW(steady_clock_monotonic_ns),
    ROW(steady_graph_poke),
    ROW(steady_sched_describe),
    ROW(STEADY_SEC),
    ROW(steady_graph_new),
    ROW(steady_graph_start),
    ROW(steady_graph_request_shutdown),
    ROW(steady_graph_block_until_stopped),
    ROW(steady_graph_get_state),
    ROW(steady_graph_state_name),
    ROW(steady_graph_report),
    ROW(steady_graph_futex_wakes),
    ROW(steady_graph_args),
    ROW(steady_graph_hooks_of),
    ROW(steady_inspect_graph),
    ROW(steady_inspect_actors),
    ROW(steady_inspect_troupes),
    ROW(steady_inspect_channels),
    ROW(steady_inspect_latency),
    ROW(steady_placement_name),
    ROW(steady_actor_phase_name),
    ROW(steady_graph_free),
    ROW(steady_log_set_level),
    ROW(steady_log_get_level),
    ROW(steady_log_parse_level),
    ROW(steady_log_level_name),
    ROW(steady_log_set_sink),
    ROW(steady_log_write),
    ROW(steady_log_vwrite),
    ROW(steady__log_enabled),
};
const size_t api_n_graph_rows = sizeof api_graph_rows / sizeof api_graph_rows[0];
