/* kit_test.c — the testing kit (steady/testing.h) on a small application: a doubler actor
 * between an injector and a drain. Each expectation is shown holding and failing, with the
 * message it must print; run_until's timeout report; a failing actor reported with its
 * assertion; log capture; and the bad arguments of every call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/steady.h>
#include <steady/testing.h>

STEADY_CHANNEL_TYPE(num, uint64_t);

/* ---- the application's actor and graph-building function ---- */

typedef struct doubler_io {
    num_rx in;
    num_tx out;
    uint64_t poison; /* 0: none; else a STEADY_ASSERT fails on it */
} doubler_io;

static int doubler_run(steady_actor *a, void *arg)
{
    doubler_io *io = arg;
    uint64_t v;
    while (num_rx_take_wait(a, io->in, &v) == STEADY_OK) {
        STEADY_ASSERT(v != io->poison);
        if (v == 3)
            STEADY_INFO("doubler: three becomes six");
        steady_err e = num_tx_send_wait(a, io->out, 2 * v);
        if (e == STEADY_ESHUTDOWN || e == STEADY_ECLOSED)
            return 0; /* the stop, or the consumer gone first: as designed */
        if (e != STEADY_OK)
            return 1;
    }
    return 0;
}

/* Builds in -> doubler -> out; the test owns the other ends through the kit. */
static void build(steady_graph *g, doubler_io *io, num_tx *in_tx, num_rx *out_rx)
{
    assert_int_equal(num_new(g, "in", 8, in_tx, &io->in), STEADY_OK);
    assert_int_equal(num_new(g, "out", 8, &io->out, out_rx), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "doubler",
                                                             .run = doubler_run,
                                                             .arg = io,
                                                             .rxs = STEADY_RXS(io->in),
                                                             .txs = STEADY_TXS(io->out)},
                                        NULL),
                     STEADY_OK);
}

typedef struct rig {
    steady_graph *g;
    doubler_io io;
    steady_test_drain *out;
    steady_test_inject *in;
} rig;

/* The doubler fed with values (closed after), its output drained; started. */
static void rig_start(rig *r, const uint64_t *values, size_t n, bool close_after, bool one_thread)
{
    memset(r, 0, sizeof *r);
    assert_int_equal(
        steady_test_graph_new(&r->g, &(steady_test_opts){.name = "kit", .one_thread = one_thread}),
        STEADY_OK);
    num_tx in_tx;
    num_rx out_rx;
    build(r->g, &r->io, &in_tx, &out_rx);
    assert_int_equal(
        steady_test_inject_new(r->g, "feed", in_tx.raw, values, n, close_after, &r->in), STEADY_OK);
    assert_int_equal(steady_test_drain_new(r->g, "sink", out_rx.raw, &r->out), STEADY_OK);
    assert_int_equal(steady_graph_start(r->g), STEADY_OK);
}

static void expect_failure(const char *fragment)
{
    if (!strstr(steady_test_failure(), fragment))
        fail_msg("the kit's message \"%s\" lacks \"%s\"", steady_test_failure(), fragment);
}

/* ---- inject, drain, expectations ---- */

static void a_closed_injection_drains_and_the_graph_stops_by_itself(void **state)
{
    (void)state;
    static const uint64_t in[] = {1, 2, 3, 4, 5};
    static const uint64_t want[] = {2, 4, 6, 8, 10};
    rig r;
    rig_start(&r, in, 5, true, false);
    assert_true(steady_test_until_stopped(r.g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(r.g, 1000), STEADY_OK);
    assert_int_equal(steady_test_inject_sent(r.in), 5);
    assert_true(steady_test_expect_equal(r.out, want, 5, NULL));
    assert_true(steady_test_expect_prefix(r.out, want, 3, NULL));
    assert_true(steady_test_expect_in_order(r.out, (uint64_t[]){4, 10}, 2, NULL));
    assert_true(steady_test_expect_count(r.out, 5));
    assert_true(steady_test_expect_count_at_least(r.out, 4));
    steady_actor_info ai[4]; /* the kit's actors are ordinary actors */
    assert_int_equal(steady_inspect_actors(r.g, ai, 4), 3);
    assert_string_equal(ai[1].label, "feed");
    assert_string_equal(ai[2].label, "sink");
    steady_test_graph_free(r.g);
}

/* A producer that finishes its work after the stop was asked: once shutdown is requested it
 * waits 50 ms, sends a last value (a flush), and ends (its end closes the channel). */
static int late_flush_run(steady_actor *a, void *arg)
{
    num_tx *out = arg;
    for (uint64_t v = 1; v <= 3; v++)
        if (num_tx_send_wait(a, *out, v) != STEADY_OK)
            return 1;
    steady_wait_shutdown(a);
    steady_wait_one(a, STEADY_PERIODIC(STEADY_MS(50)));
    return num_tx_send_wait(a, *out, 1000) == STEADY_OK ? 0 : 1; /* ending closes out */
}

/* A drain takes until its producer closed: a value sent after the stop was asked is kept (a
 * drain that took what was left at the request and ended lost it). */
static void a_drain_keeps_what_its_producer_sends_after_the_stop_request(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "flush"}), STEADY_OK);
    static num_tx tx;
    num_rx rx;
    assert_int_equal(num_new(g, "values", 8, &tx, &rx), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "flusher",
                                                             .run = late_flush_run,
                                                             .arg = &tx,
                                                             .txs = STEADY_TXS(tx)},
                                        NULL),
                     STEADY_OK);
    steady_test_drain *d;
    assert_int_equal(steady_test_drain_new(g, "sink", rx.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_drained(g, d, 3, 10000));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_true(steady_test_expect_equal(d, (uint64_t[]){1, 2, 3, 1000}, 4, NULL));
    steady_test_graph_free(g);
}

static void each_expectation_says_what_differed(void **state)
{
    (void)state;
    static const uint64_t in[] = {1, 2, 3};
    rig r;
    rig_start(&r, in, 3, true, true);
    assert_true(steady_test_until_stopped(r.g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(r.g, 1000), STEADY_OK);
    assert_false(steady_test_expect_equal(r.out, (uint64_t[]){2, 5, 6}, 3, NULL));
    expect_failure("steady_test_expect_equal: drain of 'out': index 1: expected 5, got 4 (3 "
                   "taken, 3 expected)");
    assert_false(steady_test_expect_equal(r.out, (uint64_t[]){2, 4}, 2, NULL));
    expect_failure("index 2: expected nothing more, got 6 (3 taken, 2 expected)");
    assert_false(steady_test_expect_prefix(r.out, (uint64_t[]){2, 4, 6, 8}, 4, NULL));
    expect_failure("index 3: expected 8, got nothing (only 3 taken, 4 expected)");
    assert_false(steady_test_expect_in_order(r.out, (uint64_t[]){6, 2}, 2, NULL));
    expect_failure("expected element 1 (2) after the 1 before it, in order; not found among the "
                   "3 taken");
    assert_false(steady_test_expect_count(r.out, 4));
    expect_failure("steady_test_expect_count: drain of 'out': expected 4 elements, got 3");
    assert_false(steady_test_expect_count_at_least(r.out, 9));
    expect_failure("expected at least 9 elements, got 3");
    steady_test_graph_free(r.g);
}

/* A struct channel and the user's formatter. */
typedef struct point {
    int32_t x, y, z; /* 12 bytes: no integer reading, so hex without a format */
} point;
STEADY_CHANNEL_TYPE(pts, point);

static void show_point(char *buf, size_t cap, const void *elem)
{
    const point *p = elem;
    snprintf(buf, cap, "(%d, %d, %d)", (int)p->x, (int)p->y, (int)p->z);
}

static void a_struct_difference_prints_with_the_users_format(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    pts_tx tx;
    pts_rx rx;
    assert_int_equal(pts_new(g, "points", 4, &tx, &rx), STEADY_OK);
    static const point sent[] = {{1, 2, 0}, {3, 4, 0}};
    steady_test_drain *d;
    assert_int_equal(steady_test_inject_new(g, "feed", tx.raw, sent, 2, true, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "sink", rx.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_drained(g, d, 2, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_false(steady_test_expect_equal(d, (point[]){{1, 2, 0}, {3, 5, 0}}, 2, show_point));
    expect_failure("index 1: expected (3, 5, 0), got (3, 4, 0)");
    assert_false(steady_test_expect_equal(d, (point[]){{1, 2, 0}, {3, 5, 0}}, 2, NULL));
    expect_failure("index 1: expected 030000000500000000000000, got 030000000400000000000000");
    steady_test_graph_free(g);
}

/* A struct with padding: bytes that differ where the fields do not, until a compare is given. */
typedef struct padded {
    uint64_t v;
    uint8_t tag; /* 7 bytes of padding follow */
} padded;
STEADY_CHANNEL_TYPE(pads, padded);

static bool same_padded(const void *a, const void *b)
{
    const padded *x = a, *y = b;
    return x->v == y->v && x->tag == y->tag;
}

static void show_padded(char *buf, size_t cap, const void *elem)
{
    const padded *p = elem;
    snprintf(buf, cap, "{%llu, %u}", (unsigned long long)p->v, (unsigned)p->tag);
}

static void padding_differs_until_the_drain_compares_fields(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    pads_tx tx;
    pads_rx rx;
    assert_int_equal(pads_new(g, "padded", 4, &tx, &rx), STEADY_OK);
    padded sent[2], want[2];
    memset(sent, 0xaa, sizeof sent); /* one padding pattern sent, another expected */
    memset(want, 0x55, sizeof want);
    for (int i = 0; i < 2; i++) {
        sent[i].v = want[i].v = (uint64_t)i;
        sent[i].tag = want[i].tag = 7;
    }
    steady_test_drain *d;
    assert_int_equal(steady_test_inject_new(g, "feed", tx.raw, sent, 2, true, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "sink", rx.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_false(steady_test_expect_equal(d, want, 2, show_padded));
    expect_failure("index 0: expected {0, 7}, got {0, 7} (2 taken, 2 expected); they print alike "
                   "but their bytes differ: padding? give the drain a compare "
                   "(steady_test_drain_compare)");
    steady_test_drain_compare(d, same_padded);
    assert_true(steady_test_expect_equal(d, want, 2, show_padded));
    assert_true(steady_test_expect_in_order(d, want + 1, 1, show_padded));
    steady_test_drain_compare(NULL, same_padded); /* NULL: nothing */
    steady_test_graph_free(g);
}

/* ---- run until: the timeout's report ---- */

static int hourly(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_periodic(a, STEADY_SEC(3600));
    return 0;
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

static void a_timeout_reports_what_the_graph_was_doing(void **state)
{
    (void)state;
    static const uint64_t in[] = {1, 2};
    rig r;
    rig_start(&r, in, 2, false, false); /* the feed holds "in" open: nothing ends by itself */
    assert_true(steady_test_until_drained(r.g, r.out, 2, 10000));
    assert_false(steady_test_until_drained(r.g, r.out, 3, 50));
    expect_failure("steady_test_run_until: drain of 'out' holds 3 (it holds 2): not true after "
                   "50 ms; graph 'kit' is Running");
    expect_failure("actor 'doubler': running, parked in a wait, 0 restarts");
    expect_failure("channel 'in': 0 of 8 held, 2 sent, 2 taken");
    assert_false(steady_test_until_stopped(r.g, 30));
    expect_failure("every actor ended: not true after 30 ms");
    steady_graph_request_shutdown(r.g);
    assert_int_equal(steady_graph_block_until_stopped(r.g, 5000), STEADY_OK);
    assert_true(steady_test_expect_equal(r.out, (uint64_t[]){2, 4}, 2, NULL));
    steady_test_graph_free(r.g);
    /* An actor parked on a timer: the report says when it is due. */
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "timer", .virtual_time = true}),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "hourly", .run = hourly}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_idle(g, 10000));
    assert_false(steady_test_run_until(g, never, NULL, 20, "never"));
    expect_failure("actor 'hourly': running, parked in a wait, 0 restarts, its timer due at "
                   "3601.000 s on the graph's clock");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_test_graph_free(g);
}

/* ---- a failing actor is reported, not restarted ---- */

static int panic_line;

static int panicker(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    panic_line = __LINE__ + 1;
    STEADY_PANIC("gave up on %d", 7);
}

static void a_failing_actor_ends_the_test_graph_with_its_assertion(void **state)
{
    (void)state;
    static const uint64_t in[] = {1, 2, 3, 4};
    rig r;
    steady_test_log_begin();
    r.io.poison = 0;
    memset(&r, 0, sizeof r);
    assert_int_equal(steady_test_graph_new(&r.g, &(steady_test_opts){.name = "failing"}),
                     STEADY_OK);
    num_tx in_tx;
    num_rx out_rx;
    r.io.poison = 3;
    build(r.g, &r.io, &in_tx, &out_rx);
    assert_int_equal(steady_test_inject_new(r.g, "feed", in_tx.raw, in, 4, true, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(r.g, "sink", out_rx.raw, &r.out), STEADY_OK);
    assert_int_equal(steady_graph_start(r.g), STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(r.g, 5000);
    char report[2048];
    steady_graph_report(r.g, report, sizeof report);
    assert_int_equal(e, STEADY_EDEGRADED);
    if (!strstr(report, "actor 'doubler': stopped for good after 1 failure") ||
        !strstr(report, "assertion failed: ") || !strstr(report, "kit_test.c:") ||
        !strstr(report, "v != io->poison"))
        fail_msg("report:\n%s", report);
    const char *lines[] = {"actor 'doubler' failed (regeneration 0): assertion failed:",
                           "failures stop this graph", "stopped degraded"};
    assert_true(steady_test_log_expect(lines, 3));
    assert_true(steady_test_expect_equal(r.out, (uint64_t[]){2, 4}, 2, NULL));
    steady_test_log_end();
    steady_test_graph_free(r.g);
    /* A STEADY_PANIC is reported with its place too. */
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "panicking"}),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "panicker", .run = panicker}, NULL),
        STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_EDEGRADED);
    steady_test_log_end();
    steady_graph_report(g, report, sizeof report);
    char want[80];
    snprintf(want, sizeof want, "last failure: panic: kit_test.c:%d: gave up on 7", panic_line);
    if (!strstr(report, "actor 'panicker': stopped for good after 1 failure") ||
        !strstr(report, want))
        fail_msg("report:\n%s", report);
    steady_test_graph_free(g);
}

/* ---- log capture ---- */

static void captured_lines_are_checked_in_order(void **state)
{
    (void)state;
    static const uint64_t in[] = {3};
    rig r;
    steady_test_log_begin();
    rig_start(&r, in, 1, true, false);
    assert_true(steady_test_until_stopped(r.g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(r.g, 1000), STEADY_OK);
    const char *ok[] = {"doubler: three becomes six", "stopped cleanly"};
    assert_true(steady_test_log_expect(ok, 2));
    const char *reversed[] = {"stopped cleanly", "doubler: three becomes six"};
    assert_false(steady_test_log_expect(reversed, 2));
    expect_failure("steady_test_log_expect: line 2 of 2 (\"doubler: three becomes six\") does "
                   "not appear after the ones before it; captured:");
    const char *absent[] = {"no such line"};
    assert_false(steady_test_log_expect(absent, 1));
    expect_failure("line 1 of 1 (\"no such line\") does not appear; captured:");
    assert_non_null(strstr(steady_test_log_text(), "three becomes six"));
    steady_test_log_end();
    assert_string_equal(steady_test_log_text(), "");
    steady_test_graph_free(r.g);
}

/* ---- one thread ---- */

static void one_thread_puts_the_application_and_the_kit_on_one_thread(void **state)
{
    (void)state;
    static const uint64_t in[] = {1, 2, 3};
    rig r;
    rig_start(&r, in, 3, true, true);
    assert_true(steady_test_until_stopped(r.g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(r.g, 1000), STEADY_OK);
    steady_actor_info ai[3];
    assert_int_equal(steady_inspect_actors(r.g, ai, 3), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ai[i].placement, STEADY_PLACEMENT_MEMBER);
        assert_int_equal(ai[i].troupe, ai[0].troupe);
    }
    assert_true(steady_test_expect_equal(r.out, (uint64_t[]){2, 4, 6}, 3, NULL));
    steady_test_graph_free(r.g);
}

/* ---- the stage manager ---- */

static int app_source(steady_actor *a, void *arg) /* replaced by a stand-in below */
{
    doubler_io *io = arg;
    (void)io;
    (void)a;
    return 1;
}

static int app_sink(steady_actor *a, void *arg) /* replaced by a stand-in below */
{
    (void)a;
    (void)arg;
    return 1;
}

/* The application's graph: source -> doubler -> sink, all its own actors. */
static void app_build(steady_graph *g, doubler_io *io, num_tx *src_out, num_rx *sink_in)
{
    build(g, io, src_out, sink_in);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "source",
                                                             .run = app_source,
                                                             .arg = io,
                                                             .txs = STEADY_TXS(*src_out)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sink",
                                                             .has_suffix = true,
                                                             .suffix = 1,
                                                             .run = app_sink,
                                                             .rxs = STEADY_RXS(*sink_in)},
                                        NULL),
                     STEADY_OK);
}

static void stand_ins_play_the_edges_of_the_applications_graph(void **state)
{
    (void)state;
    static doubler_io io;
    static num_tx src;
    static num_rx snk;
    steady_graph *g;
    const char *const stand_ins[] = {"source", "sink-1", NULL};
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "staged", .stand_ins = stand_ins}),
        STEADY_OK);
    app_build(g, &io, &src, &snk); /* unchanged: the kit swaps the two edges */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t v = 3, got = 0;
    assert_true(steady_test_stage_send(g, "source", 0, &v, 1000));
    assert_true(steady_test_stage_expect(g, "sink-1", 0, &(uint64_t){6}, NULL, 1000, &got));
    assert_int_equal(got, 6);
    v = 4;
    assert_true(steady_test_stage_send(g, "source", 0, &v, 1000));
    assert_false(steady_test_stage_expect(g, "sink-1", 0, &(uint64_t){9}, NULL, 1000, NULL));
    expect_failure("steady_test_stage_expect: the stand-in 'sink-1' input 0 ('out'): expected 9, "
                   "got 8");
    assert_false(steady_test_stage_expect(g, "sink-1", 0, &(uint64_t){10}, NULL, 50, NULL));
    expect_failure("input 0 ('out'): expected 10, got nothing within the timeout");
    assert_false(steady_test_stage_send(g, "doubler", 0, &v, 10));
    expect_failure("steady_test_stage_send: no stand-in named 'doubler' in this graph "
                   "(stand-ins: 'source', 'sink-1')");
    assert_false(steady_test_stage_send(g, "source", 1, &v, 10));
    expect_failure("the stand-in 'source' has 1 outputs; there is no output 1");
    assert_false(steady_test_stage_expect(g, "sink-1", 2, &v, NULL, 10, NULL));
    expect_failure("the stand-in 'sink-1' has 1 inputs; there is no input 2");
    /* The source ends: its output closes, the doubler drains and closes its own. */
    assert_true(steady_test_stage_end(g, "source"));
    assert_false(steady_test_stage_send(g, "source", 0, &v, 10));
    expect_failure("the stand-in 'source' has ended");
    assert_false(steady_test_stage_expect(g, "sink-1", 0, &v, NULL, 5000, NULL));
    expect_failure("expected 4, got nothing: the channel is closed and empty");
    assert_true(steady_test_stage_end(g, "sink-1"));
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    steady_actor_info ai[3];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3); /* stand-ins are ordinary actors */
    assert_string_equal(ai[1].label, "source");
    assert_string_equal(ai[2].label, "sink-1");
    steady_test_graph_free(g);
}

/* On virtual time a stand-in still runs the test's commands at once: it sleeps on a bell the
 * test rings, not on a timer that only the test's clock would move (steady-new's generated
 * actor tests drive stand-ins and a periodic actor on virtual time). */
static void stand_ins_work_on_virtual_time(void **state)
{
    (void)state;
    static doubler_io io;
    static num_tx src;
    static num_rx snk;
    steady_graph *g;
    const char *const stand_ins[] = {"source", "sink-1", NULL};
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "staged-virtual",
                                                                   .stand_ins = stand_ins,
                                                                   .virtual_time = true}),
                     STEADY_OK);
    app_build(g, &io, &src, &snk);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = steady_test_time_now(g);
    for (uint64_t v = 1; v <= 3; v++) {
        assert_true(steady_test_stage_send(g, "source", 0, &v, 1000));
        assert_true(steady_test_stage_expect(g, "sink-1", 0, &(uint64_t){2 * v}, NULL, 1000, NULL));
    }
    assert_int_equal(steady_test_time_now(g), t0); /* no virtual time passed */
    /* Idle stand-ins wait on no timer: the clock has nowhere to go. */
    assert_false(steady_test_time_next(g, 1000));
    assert_true(steady_test_stage_end(g, "source"));
    assert_true(steady_test_stage_end(g, "sink-1"));
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    steady_test_graph_free(g);
}

/* A stand-in for an ISOLATED actor runs in the test's process, where its mailbox is: in a child
 * process it would never see the test's commands (steady-new's actor tests play every other
 * actor, ISOLATED ones too). */
static void a_stand_in_for_an_isolated_actor_runs_in_the_tests_process(void **state)
{
    (void)state;
    static doubler_io io;
    static num_tx src;
    static num_rx snk;
    steady_graph *g;
    const char *const stand_ins[] = {"source", "sink", NULL};
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "staged-isolated",
                                                                   .stand_ins = stand_ins}),
                     STEADY_OK);
    build(g, &io, &src, &snk);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "source",
                                                             .run = app_source,
                                                             .arg = &io,
                                                             .isolated = true,
                                                             .txs = STEADY_TXS(src)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "sink", .run = app_sink, .rxs = STEADY_RXS(snk)}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t v = 21;
    assert_true(steady_test_stage_send(g, "source", 0, &v, 2000));
    assert_true(steady_test_stage_expect(g, "sink", 0, &(uint64_t){42}, NULL, 2000, NULL));
    assert_true(steady_test_stage_end(g, "source"));
    assert_true(steady_test_stage_end(g, "sink"));
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    steady_test_graph_free(g);
}

/* Bundle lanes: a stand-in's plain ends come first, then each bundle's lanes in order. */
static int never_runs(steady_actor *a, void *arg) /* replaced by a stand-in */
{
    (void)a;
    (void)arg;
    return 1;
}

static void bundle_lanes_are_addressed_after_the_plain_ends(void **state)
{
    (void)state;
    steady_graph *g;
    const char *const stand_ins[] = {"fan", "gather", NULL};
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.stand_ins = stand_ins}),
                     STEADY_OK);
    num_tx solo_tx;
    num_rx solo_rx;
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    assert_int_equal(num_new(g, "solo", 4, &solo_tx, &solo_rx), STEADY_OK);
    assert_int_equal(
        steady_bundle_new(g, &(steady_channel_opts){.name = "lane", .capacity = 4, .elem_size = 8},
                          3, &txb, &rxb),
        STEADY_OK);
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){.name = "fan",
                                              .run = never_runs,
                                              .txs = STEADY_TXS(solo_tx),
                                              .tx_bundles = (steady_tx_bundle *const[]){txb, NULL}},
                         NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){.name = "gather",
                                              .run = never_runs,
                                              .rxs = STEADY_RXS(solo_rx),
                                              .rx_bundles = (steady_rx_bundle *const[]){rxb, NULL}},
                         NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* Output k + 1 is lane k; each value arrives on its own lane, input k + 1. */
    for (unsigned out = 0; out < 4; out++) {
        uint64_t v = 100 + out;
        assert_true(steady_test_stage_send(g, "fan", out, &v, 1000));
    }
    for (unsigned in = 4; in-- > 0;) { /* lanes out of order: each holds only its own */
        uint64_t want = 100 + in;
        assert_true(steady_test_stage_expect(g, "gather", in, &want, NULL, 1000, NULL));
    }
    uint64_t v = 1;
    assert_false(steady_test_stage_send(g, "fan", 4, &v, 10));
    expect_failure("the stand-in 'fan' has 4 outputs; there is no output 4");
    assert_true(steady_test_stage_send(g, "fan", 2, &v, 1000));
    assert_false(steady_test_stage_expect(g, "gather", 3, &v, NULL, 1000, NULL));
    expect_failure("the stand-in 'gather' input 3 ('lane[2]'): expected 1, got nothing");
    assert_true(steady_test_stage_expect(g, "gather", 2, &v, NULL, 1000, NULL));
    assert_true(steady_test_stage_end(g, "fan"));
    assert_true(steady_test_stage_end(g, "gather"));
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    steady_test_graph_free(g);
}

/* An actor with more ends, or larger elements, than a stand-in's mailbox holds: its spawn is
 * refused with the limits, never truncated. */
typedef struct big {
    char bytes[5000];
} big;
STEADY_CHANNEL_TYPE(bigs, big);

static void a_stand_in_too_big_for_the_mailbox_is_refused(void **state)
{
    (void)state;
    steady_graph *g;
    const char *const stand_ins[] = {"wide", "large", NULL};
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.stand_ins = stand_ins}),
                     STEADY_OK);
    steady_rx *rxs[34] = {NULL};
    for (int i = 0; i < 33; i++) {
        steady_tx *tx;
        assert_int_equal(steady_channel_new(g, &(steady_channel_opts){"c", 2, 8}, &tx, &rxs[i]),
                         STEADY_OK);
    }
    assert_int_equal(
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "wide", .run = app_sink, .rxs = (steady_rx *const *)rxs},
            NULL),
        STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(),
                           "the graph's spawn hook refused it: the stage manager plays actors of "
                           "at most 32 inputs and 32 outputs, elements of at most 4096 bytes; "
                           "'wide' has more"));
    bigs_tx btx;
    bigs_rx brx;
    assert_int_equal(bigs_new(g, "big", 2, &btx, &brx), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "large", .run = app_sink, .txs = STEADY_TXS(btx)},
            NULL),
        STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "'large' has more"));
    steady_test_graph_free(g);
}

static void without_stand_ins_the_stage_says_so(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    assert_false(steady_test_stage_end(g, "x"));
    expect_failure("steady_test_stage_end: no stand-in named 'x' in this graph (stand-ins: "
                   "none; list them in steady_test_opts.stand_ins)");
    assert_false(steady_test_stage_send(NULL, NULL, 0, NULL, 0));
    expect_failure("no stand-in named '(NULL)'");
    steady_test_graph_free(g);
}

/* ---- virtual time ---- */

static void virtual_time_says_when_it_cannot_move(void **state)
{
    (void)state;
    static const uint64_t in[] = {1};
    rig r;
    rig_start(&r, in, 1, false, false); /* real time: no virtual clock */
    assert_int_equal(steady_test_time_now(r.g), 0);
    assert_false(steady_test_time_advance(r.g, 1000));
    expect_failure("steady_test_time_advance: the graph has no virtual clock; make it with "
                   "steady_test_opts.virtual_time");
    assert_false(steady_test_time_next(r.g, 100));
    expect_failure("steady_test_time_next: the graph has no virtual clock");
    steady_graph_request_shutdown(r.g);
    assert_int_equal(steady_graph_block_until_stopped(r.g, 5000), STEADY_OK);
    steady_test_graph_free(r.g);
    steady_graph *g;
    assert_int_equal(
        steady_test_graph_new(&g, &(steady_test_opts){.name = "vt", .virtual_time = true}),
        STEADY_OK);
    num_tx tx;
    num_rx rx;
    assert_int_equal(num_new(g, "c", 4, &tx, &rx), STEADY_OK);
    assert_int_equal(steady_test_inject_new(g, "feed", tx.raw, in, 1, false, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "sink", rx.raw, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_test_time_now(g), 1000000000u); /* it starts at 1 s */
    assert_true(steady_test_time_advance(g, 500));
    assert_int_equal(steady_test_time_now(g), 1000000500u);
    assert_false(steady_test_time_next(g, 5000)); /* both wait, neither on a timer */
    expect_failure("steady_test_time_next: no actor waits on a timer: moving the clock would "
                   "change nothing (the clock reads 1000000500 ns)");
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_test_graph_free(g);
}

/* ---- bad arguments ---- */

static void bad_arguments_get_clear_errors(void **state)
{
    (void)state;
    assert_int_equal(steady_test_graph_new(NULL, NULL), STEADY_EINVAL);
    steady_test_graph_free(NULL);
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, NULL), STEADY_OK);
    num_tx tx;
    num_rx rx;
    assert_int_equal(num_new(g, "c", 4, &tx, &rx), STEADY_OK);
    steady_test_inject *i = (steady_test_inject *)&i;
    assert_int_equal(steady_test_inject_new(NULL, "x", tx.raw, NULL, 0, true, &i), STEADY_EINVAL);
    assert_null(i);
    assert_int_equal(steady_test_inject_new(g, NULL, tx.raw, NULL, 0, true, NULL), STEADY_EINVAL);
    assert_int_equal(steady_test_inject_new(g, "x", NULL, NULL, 0, true, NULL), STEADY_EINVAL);
    assert_int_equal(steady_test_inject_new(g, "x", tx.raw, NULL, 2, true, NULL), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "elems (n > 0) is NULL"));
    assert_int_equal(steady_test_inject_new(g, "x", tx.raw, "", SIZE_MAX, true, NULL),
                     STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "do not fit in memory"));
    assert_int_equal(steady_test_drain_new(g, "y", NULL, NULL), STEADY_EINVAL);
    assert_int_equal(steady_test_drain_new(g, NULL, rx.raw, NULL), STEADY_EINVAL);
    /* an end owned twice is the core's error, passed on */
    assert_int_equal(steady_test_drain_new(g, "y", rx.raw, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "z", rx.raw, NULL), STEADY_EBOUND);
    assert_int_equal(steady_test_inject_sent(NULL), 0);
    assert_int_equal(steady_test_drain_count(NULL), 0);
    assert_null(steady_test_drain_items(NULL));
    assert_false(steady_test_expect_equal(NULL, NULL, 0, NULL));
    expect_failure("steady_test_expect_equal: the drain is NULL");
    assert_false(steady_test_expect_count(NULL, 0));
    assert_false(steady_test_expect_count_at_least(NULL, 0));
    assert_false(steady_test_expect_in_order(NULL, NULL, 0, NULL));
    assert_false(steady_test_expect_prefix(NULL, NULL, 0, NULL));
    assert_false(steady_test_run_until(NULL, NULL, NULL, 0, NULL));
    expect_failure("steady_test_run_until: the graph is NULL");
    assert_false(steady_test_until_drained(g, NULL, 1, 0));
    expect_failure("steady_test_until_drained: the drain is NULL");
    assert_false(steady_test_log_expect(NULL, 1));
    expect_failure("texts is NULL");
    assert_true(steady_test_log_expect(NULL, 0));
    steady_test_graph_free(g); /* never started: the kit's objects go with it */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_closed_injection_drains_and_the_graph_stops_by_itself),
        cmocka_unit_test(a_drain_keeps_what_its_producer_sends_after_the_stop_request),
        cmocka_unit_test(each_expectation_says_what_differed),
        cmocka_unit_test(a_struct_difference_prints_with_the_users_format),
        cmocka_unit_test(padding_differs_until_the_drain_compares_fields),
        cmocka_unit_test(a_timeout_reports_what_the_graph_was_doing),
        cmocka_unit_test(a_failing_actor_ends_the_test_graph_with_its_assertion),
        cmocka_unit_test(captured_lines_are_checked_in_order),
        cmocka_unit_test(one_thread_puts_the_application_and_the_kit_on_one_thread),
        cmocka_unit_test(stand_ins_play_the_edges_of_the_applications_graph),
        cmocka_unit_test(stand_ins_work_on_virtual_time),
        cmocka_unit_test(a_stand_in_for_an_isolated_actor_runs_in_the_tests_process),
        cmocka_unit_test(bundle_lanes_are_addressed_after_the_plain_ends),
        cmocka_unit_test(a_stand_in_too_big_for_the_mailbox_is_refused),
        cmocka_unit_test(without_stand_ins_the_stage_says_so),
        cmocka_unit_test(virtual_time_says_when_it_cannot_move),
        cmocka_unit_test(bad_arguments_get_clear_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
