/* seed_test.c — the testing kit's deterministic runs (steady_test_opts.seed): the same seed
 * repeats the interleaving and the log, a failure says how to replay it, descriptor waits are
 * refused saying why, and a thread left running past the stop keeps the kit's objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>
#include <steady/testing.h>

STEADY_CHANNEL_TYPE(num, uint64_t);

static void expect_failure(const char *fragment)
{
    if (!strstr(steady_test_failure(), fragment))
        fail_msg("the kit's message \"%s\" lacks \"%s\"", steady_test_failure(), fragment);
}

/* ---- deterministic runs ---- */

typedef struct merge_io {
    num_rx a, b;
    num_tx out;
} merge_io;

/* Takes from whichever input has a value (a first when both do), logging each: the order of
 * its lines is the order in which the two feeds ran. */
static int merger(steady_actor *a, void *arg)
{
    merge_io *io = arg;
    for (;;) {
        uint64_t v;
        if (num_rx_try_take(io->a, &v) != STEADY_OK && num_rx_try_take(io->b, &v) != STEADY_OK) {
            if (num_rx_is_closed_and_empty(io->a) && num_rx_is_closed_and_empty(io->b))
                return 0;
            steady_wait_any(a, STEADY_AVAIL(io->a, 1), STEADY_AVAIL(io->b, 1));
            continue;
        }
        STEADY_INFO("merged %llu", (unsigned long long)v);
        if (num_tx_send_wait(a, io->out, v) != STEADY_OK)
            return 1;
    }
}

/* One seeded run of feeds a (1..20) and b (101..120) into the merger; its log without time
 * stamps in *log (malloc'd) and the merged order in order[40]. */
static void seeded_run(uint64_t seed, char **log, uint64_t order[40])
{
    static uint64_t a[20], b[20];
    for (int i = 0; i < 20; i++) {
        a[i] = (uint64_t)i + 1;
        b[i] = (uint64_t)i + 101;
    }
    static merge_io io;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "seeded", .seed = seed}),
                     STEADY_OK);
    assert_int_equal(steady_test_seed(g), seed);
    num_tx ta, tb;
    num_rx out;
    assert_int_equal(num_new(g, "a", 2, &ta, &io.a), STEADY_OK);
    assert_int_equal(num_new(g, "b", 2, &tb, &io.b), STEADY_OK);
    assert_int_equal(num_new(g, "merged", 4, &io.out, &out), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "merger",
                                                             .run = merger,
                                                             .arg = &io,
                                                             .rxs = STEADY_RXS(io.a, io.b),
                                                             .txs = STEADY_TXS(io.out)},
                                        NULL),
                     STEADY_OK);
    steady_test_drain *d;
    assert_int_equal(steady_test_inject_new(g, "feed-a", ta.raw, a, 20, true, NULL), STEADY_OK);
    assert_int_equal(steady_test_inject_new(g, "feed-b", tb.raw, b, 20, true, NULL), STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "sink", out.raw, &d), STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_int_equal(steady_test_drain_count(d), 40);
    memcpy(order, steady_test_drain_items(d), 40 * sizeof order[0]);
    *log = strdup(steady_test_log_messages());
    steady_test_log_end();
    steady_test_graph_free(g);
}

static void the_same_seed_repeats_the_interleaving_and_the_log(void **state)
{
    (void)state;
    char *log1, *log2;
    uint64_t o1[40], o2[40];
    seeded_run(7, &log1, o1);
    seeded_run(7, &log2, o2);
    assert_memory_equal(o1, o2, sizeof o1);
    assert_string_equal(log1, log2); /* byte for byte, time stamps aside */
    assert_non_null(strstr(log1, "merged 101"));
    free(log1);
    free(log2);
    /* Other seeds give other interleavings: among five, at least two orders differ. */
    bool differ = false;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        char *log;
        uint64_t o[40];
        seeded_run(seed, &log, o);
        differ |= memcmp(o, o1, sizeof o) != 0;
        free(log);
    }
    assert_true(differ);
}

static int waits_on_stdin(steady_actor *a, void *arg)
{
    (void)arg;
    steady_wait_one(a, STEADY_FD(0, STEADY_FD_READABLE));
    return 0;
}

static void a_seeded_run_refuses_descriptor_waits_saying_why(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.seed = 3}), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "reader", .run = waits_on_stdin}, NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_EDEGRADED);
    char report[1024];
    steady_graph_report(g, report, sizeof report);
    if (!strstr(report, "actor 'reader': stopped for good") ||
        !strstr(report, "STEADY_FD(0): descriptor waits are refused in this graph"))
        fail_msg("report:\n%s", report);
    steady_test_graph_free(g);
}

/* An actor blocked outside steady's waits keeps its thread past the stop: the kit keeps the
 * graph and its own objects (the seeded scheduler runs on that thread once the actor returns)
 * until the thread has left; a later free frees them. */
static int stuck_in_read(steady_actor *a, void *arg)
{
    (void)a;
    char c;
    return read(*(int *)arg, &c, 1) == 1 ? 0 : 1; /* blocks: not a steady wait */
}

static bool thread_gone(steady_graph *g)
{
    steady_troupe_info ti[1];
    return steady_inspect_troupes(g, ti, 1) == 1 && ti[0].tid == 0;
}

static void a_thread_left_running_keeps_the_graph_and_the_kits_objects(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.name = "stuck", .seed = 9}),
                     STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "reader", .run = stuck_in_read, .arg = &fds[0]}, NULL),
        STEADY_OK);
    steady_test_log_begin();
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 100), STEADY_EUNCLEAN);
    steady_test_graph_free(g); /* the thread still runs: kept */
    expect_failure("steady_test_graph_free: graph 'stuck' keeps a thread that did not leave at "
                   "its stop");
    assert_int_equal(write(fds[1], "x", 1), 1); /* the actor returns; the scheduler picks on */
    for (int i = 0; i < 5000 && !thread_gone(g); i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL); /* a poll for the thread's exit */
    assert_true(thread_gone(g));
    steady_test_graph_free(g); /* now it goes, with the kit's objects */
    steady_test_log_end();
    close(fds[0]);
    close(fds[1]);
}

static void a_failure_in_a_seeded_run_says_how_to_replay_it(void **state)
{
    (void)state;
    steady_graph *g;
    assert_int_equal(steady_test_graph_new(&g, &(steady_test_opts){.seed = 42}), STEADY_OK);
    num_tx tx;
    num_rx rx;
    assert_int_equal(num_new(g, "c", 4, &tx, &rx), STEADY_OK);
    steady_test_drain *d;
    assert_int_equal(steady_test_inject_new(g, "feed", tx.raw, (uint64_t[]){1}, 1, true, NULL),
                     STEADY_OK);
    assert_int_equal(steady_test_drain_new(g, "sink", rx.raw, &d), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(steady_test_until_stopped(g, 10000));
    assert_int_equal(steady_graph_block_until_stopped(g, 1000), STEADY_OK);
    assert_false(steady_test_expect_count(d, 2));
    expect_failure("expected 2 elements, got 1 [deterministic run, seed 42: replay with "
                   "STEADY_TEST_SEED=42]");
    steady_actor_info ai[2];
    assert_int_equal(steady_inspect_actors(g, ai, 2), 2);
    assert_int_equal(ai[0].placement, STEADY_PLACEMENT_MEMBER); /* one thread */
    steady_test_graph_free(g);
    assert_false(steady_test_expect_count(d = NULL, 0)); /* freed: no seed any more */
    expect_failure("steady_test_expect_count: the drain is NULL");
    assert_null(strstr(steady_test_failure(), "seed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_seed_repeats_the_interleaving_and_the_log),
        cmocka_unit_test(a_failure_in_a_seeded_run_says_how_to_replay_it),
        cmocka_unit_test(a_seeded_run_refuses_descriptor_waits_saying_why),
        cmocka_unit_test(a_thread_left_running_keeps_the_graph_and_the_kits_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
