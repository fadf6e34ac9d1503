/* inspect_test.c — specification of the read-only view of a graph (core/inspect.c,
 * steady/inspect.h): what each record says about a graph built here, that it follows the graph
 * while it runs (totals, busy time, phases, failures), that reads from another thread while
 * actors fail and restart are race-free (TSan), and the answers to NULL, zero and short arrays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "steady_test_support.h"

#define VALUES 100000u

typedef struct {
    u64ch_tx out;
} producer_io;

typedef struct {
    u64ch_rx in;
    _Atomic uint64_t taken;
} consumer_io;

static int producer(steady_actor *a, void *arg)
{
    producer_io *io = arg;
    uint64_t sent = 0;
    while (STEADY_RUNNING(a, true) && sent < VALUES) {
        if (steady_wait_vacant(a, io->out, 1) == STEADY_READY)
            while (sent < VALUES && u64ch_tx_try_send(io->out, sent) == STEADY_OK)
                sent++;
    }
    u64ch_tx_close(io->out);
    return 0;
}

static int consumer(steady_actor *a, void *arg)
{
    consumer_io *io = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)))) {
        steady_wait_avail(a, io->in, 1);
        while (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
            atomic_fetch_add(&io->taken, 1);
        if (u64ch_rx_is_closed_and_empty(io->in))
            break;
    }
    return 0;
}

static int idler(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static const steady_channel_info *channel_named(const steady_channel_info *c, size_t n,
                                                const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0)
            return &c[i];
    fail_msg("no channel named %s", name);
    return NULL;
}

/* producer (SOLO) -> "data" -> consumer (member of troupe "pair", with an idler), and a bundle
 * "lanes" of 4 from the idler to "sink" (SOLO). */
static void a_running_graph_is_described_as_it_was_built(void **state)
{
    (void)state;
    steady_graph *g = new_graph("inspected");
    producer_io pio;
    consumer_io cio = {0};
    assert_int_equal(u64ch_new(g, "data", 1024, &pio.out, &cio.in), STEADY_OK);
    steady_tx_bundle *txb;
    steady_rx_bundle *rxb;
    assert_int_equal(steady_bundle_new(
                         g, &(steady_channel_opts){.name = "lanes", .elem_size = 8, .capacity = 16},
                         4, &txb, &rxb),
                     STEADY_OK);
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &t), STEADY_OK);
    steady_actor *p, *c, *idle;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer,
                                                             .arg = &pio,
                                                             .txs = STEADY_TXS(pio.out)},
                                        &p),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = consumer,
                                                             .arg = &cio,
                                                             .troupe = t,
                                                             .rxs = STEADY_RXS(cio.in)},
                                        &c),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){.name = "idler",
                                              .has_suffix = true,
                                              .suffix = 2,
                                              .run = idler,
                                              .troupe = t,
                                              .tx_bundles = (steady_tx_bundle *const[]){txb, NULL}},
                         &idle),
                     STEADY_OK);
    steady_actor *sink;
    assert_int_equal(steady_actor_spawn(
                         g,
                         &(steady_actor_opts){.name = "sink",
                                              .run = idler,
                                              .rx_bundles = (steady_rx_bundle *const[]){rxb, NULL}},
                         &sink),
                     STEADY_OK);

    /* Before start: the counts, and every actor not started. */
    steady_actor_info ai[8];
    assert_int_equal(steady_inspect_actors(g, ai, 8), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ai[i].phase, STEADY_ACTOR_NOT_STARTED);

    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (atomic_load(&cio.taken) < VALUES && ms_since(t0) < 10000)
        sleep_ms(1);
    assert_int_equal(atomic_load(&cio.taken), VALUES);

    steady_graph_info gi;
    assert_int_equal(steady_inspect_graph(g, &gi), STEADY_OK);
    assert_string_equal(gi.name, "inspected");
    assert_int_equal(gi.state, STEADY_GRAPH_RUNNING);
    assert_int_equal(gi.n_actors, 4);
    assert_int_equal(gi.n_channels, 5);
    assert_int_equal(gi.pid, getpid());

    assert_int_equal(steady_inspect_actors(g, ai, 8), 4);
    assert_string_equal(ai[0].label, "producer");
    assert_int_equal(ai[0].placement, STEADY_PLACEMENT_SOLO);
    assert_int_equal(ai[0].n_outputs, 1);
    assert_int_equal(ai[1].placement, STEADY_PLACEMENT_MEMBER);
    assert_int_equal(ai[1].n_inputs, 1);
    assert_string_equal(ai[2].name, "idler");
    assert_string_equal(ai[2].label, steady_actor_label(idle));
    assert_true(ai[2].has_suffix && ai[2].suffix == 2);
    assert_int_equal(ai[2].n_outputs, 4);
    assert_int_equal(ai[1].troupe, ai[2].troupe);
    assert_int_not_equal(ai[0].troupe, ai[1].troupe);
    assert_true(ai[1].busy_ns > 0); /* it took 100,000 values */
    assert_int_equal(ai[2].phase, STEADY_ACTOR_RUNNING);
    assert_string_equal(ai[2].last_failure, "");

    steady_troupe_info ti[8];
    size_t nt = steady_inspect_troupes(g, ti, 8);
    assert_int_equal(nt, gi.n_troupes);
    const steady_troupe_info *pair = &ti[ai[1].troupe];
    assert_string_equal(pair->name, "pair");
    assert_false(pair->solo);
    assert_int_equal(pair->n_members, 2);
    assert_int_equal(pair->pid, getpid());
    assert_true(pair->tid > 0 && pair->tid != getpid());
    assert_true(pair->core >= 0);
    assert_true(pair->cpu_ns > 0);
    assert_true(ti[ai[0].troupe].solo);
    assert_string_equal(ti[ai[0].troupe].name, "producer");

    steady_channel_info ci[8];
    size_t nc = steady_inspect_channels(g, ci, 8);
    assert_int_equal(nc, 5);
    const steady_channel_info *data = channel_named(ci, nc, "data");
    assert_int_equal(data->sent_total, VALUES);
    assert_int_equal(data->taken_total, VALUES);
    assert_int_equal(data->capacity, 1024);
    assert_int_equal(data->elem_size, sizeof(uint64_t));
    assert_true(data->memory_bytes >= 1024 * sizeof(uint64_t));
    assert_int_equal(data->from_actor, 0);
    assert_int_equal(data->to_actor, 1);
    assert_null(data->bundle);
    assert_int_equal(data->lanes, 1);
    const steady_channel_info *lane3 = channel_named(ci, nc, "lanes[3]");
    assert_string_equal(lane3->bundle, "lanes");
    assert_int_equal(lane3->lane, 3);
    assert_int_equal(lane3->lanes, 4);
    assert_int_equal(lane3->from_actor, 2);
    assert_int_equal(lane3->to_actor, 3);
    assert_int_equal(ai[3].n_inputs, 4);

    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(steady_inspect_actors(g, ai, 8), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ai[i].phase, STEADY_ACTOR_ENDED);
    nc = steady_inspect_channels(g, ci, 8);
    assert_true(channel_named(ci, nc, "data")->tx_closed);
    nt = steady_inspect_troupes(g, ti, 8);
    assert_int_equal(ti[ai[1].troupe].tid, 0); /* its thread left */
    steady_graph_free(g);
}

/* An ISOLATED producer: its counters come from the child through the graph's shared memory,
 * its troupe names the child's pid and the child's CPU time. */
static void an_isolated_actor_is_seen_in_its_own_process(void **state)
{
    (void)state;
    steady_graph *g = new_graph("isolated");
    producer_io pio;
    consumer_io cio = {0};
    assert_int_equal(u64ch_new(g, "data", 1024, &pio.out, &cio.in), STEADY_OK);
    steady_troupe *t;
    assert_int_equal(
        steady_troupe_new(g, &(steady_troupe_opts){.name = "away", .isolated = true}, &t),
        STEADY_OK);
    steady_actor *p, *c;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer,
                                                             .arg = &pio,
                                                             .troupe = t,
                                                             .txs = STEADY_TXS(pio.out)},
                                        &p),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = consumer,
                                                             .arg = &cio,
                                                             .rxs = STEADY_RXS(cio.in)},
                                        &c),
                     STEADY_OK);
    steady_actor *stay; /* keeps the child alive after the producer's last value */
    assert_int_equal(steady_actor_spawn(
                         g, &(steady_actor_opts){.name = "stay", .run = idler, .troupe = t}, &stay),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    while (atomic_load(&cio.taken) < VALUES && ms_since(t0) < 10000)
        sleep_ms(1);
    steady_actor_info ai[3];
    steady_troupe_info ti[3];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3);
    assert_int_equal(steady_inspect_troupes(g, ti, 3), 2);
    const steady_troupe_info *away = &ti[ai[0].troupe];
    assert_int_equal(ai[0].placement, STEADY_PLACEMENT_ISOLATED);
    assert_int_equal(ai[2].placement, STEADY_PLACEMENT_ISOLATED);
    assert_true(away->isolated);
    assert_int_equal(away->tid, 0);
    assert_true(away->pid > 0 && away->pid != getpid());
    assert_true(away->cpu_ns > 0);
    assert_true(away->core >= 0);
    assert_true(ai[0].busy_ns > 0);
    assert_int_equal(ai[2].phase, STEADY_ACTOR_RUNNING);
    steady_channel_info ci[1];
    assert_int_equal(steady_inspect_channels(g, ci, 1), 1);
    assert_int_equal(ci[0].sent_total, VALUES);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(steady_inspect_troupes(g, ti, 3), 2);
    assert_int_equal(ti[ai[0].troupe].pid, 0); /* the child is gone: no stale pid */
    steady_graph_free(g);
}

/* ---- failures, read from another thread while they happen ---- */

static int failer(steady_actor *a, void *arg)
{
    (void)arg;
    uint32_t regen = steady_actor_regeneration(a);
    if (STEADY_RUNNING(a, true))
        steady_panic("failure number %u of a test actor with a long reason to copy", regen + 1);
    return 0;
}

typedef struct {
    steady_graph *g;
    _Atomic int stop;
    uint64_t reads;
    bool torn;
} reader_ctx;

/* Every reason the failer writes reads "panic: failure number N of a test actor ...": a torn copy
 * (half of one, half of another, or garbage) would not parse. */
static void *reader(void *p)
{
    reader_ctx *r = p;
    steady_actor_info ai[2];
    steady_channel_info ci[2];
    steady_troupe_info ti[2];
    while (!atomic_load(&r->stop)) {
        steady_inspect_actors(r->g, ai, 2);
        steady_inspect_channels(r->g, ci, 2);
        steady_inspect_troupes(r->g, ti, 2);
        unsigned n;
        char tail[128];
        if (ai[0].last_failure[0] &&
            (sscanf(ai[0].last_failure, "panic: failure number %u of %127[^\n]", &n, tail) != 2 ||
             strcmp(tail, "a test actor with a long reason to copy") != 0))
            r->torn = true;
        r->reads++;
    }
    return NULL;
}

static void failures_read_while_they_happen_are_never_torn(void **state)
{
    (void)state;
    steady_graph *g = new_graph("failing");
    steady_policy pol = STEADY_POLICY_DEFAULT;
    pol.backoff_floor_ms = 0;
    pol.backoff_ceiling_ms = 0;
    pol.max_restarts = 400;
    pol.period_ms = 60000;
    pol.escalation = STEADY_ESCALATE_STOP_ACTOR;
    steady_actor *a;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "failer", .run = failer, .policy = &pol},
                           &a),
        STEADY_OK);
    reader_ctx r = {.g = g};
    pthread_t th;
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(pthread_create(&th, NULL, reader, &r), 0);
    uint64_t t0 = now_ns();
    steady_actor_info ai;
    do {
        sleep_ms(2);
        steady_inspect_actors(g, &ai, 1);
    } while (ai.phase != STEADY_ACTOR_STOPPED_FOR_GOOD && ms_since(t0) < 20000);
    atomic_store(&r.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(ai.phase, STEADY_ACTOR_STOPPED_FOR_GOOD);
    assert_int_equal(ai.failures, 401);
    assert_int_equal(ai.regeneration, 400);
    assert_string_equal(ai.last_failure,
                        "panic: failure number 401 of a test actor with a long reason to copy");
    assert_false(r.torn);
    assert_true(r.reads > 0);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_EDEGRADED);
    steady_graph_free(g);
}

/* ---- arguments ---- */

static void null_zero_and_short_arrays_get_counts_or_einval(void **state)
{
    (void)state;
    steady_graph *g = new_graph("args");
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        steady_actor *a;
        assert_int_equal(
            steady_actor_spawn(g, &(steady_actor_opts){.name = name, .run = idler}, &a), STEADY_OK);
    }
    steady_graph_info gi;
    assert_int_equal(steady_inspect_graph(NULL, &gi), STEADY_EINVAL);
    assert_last_error_mentions("steady_inspect_graph", "NULL", NULL);
    assert_int_equal(steady_inspect_graph(g, NULL), STEADY_EINVAL);

    assert_int_equal(steady_inspect_actors(NULL, NULL, 0), 0);
    assert_last_error_mentions("steady_inspect_actors", "graph is NULL", NULL);
    assert_int_equal(steady_inspect_actors(g, NULL, 0), 3); /* the count alone */
    assert_int_equal(steady_inspect_actors(g, NULL, 5), 0);
    assert_last_error_mentions("out is NULL", NULL);
    steady_actor_info one[1];
    assert_int_equal(steady_inspect_actors(g, one, 1), 3); /* more than room: the count */
    assert_string_equal(one[0].label, "a0");
    assert_int_equal(steady_inspect_troupes(g, NULL, 0), 3);
    assert_int_equal(steady_inspect_troupes(NULL, NULL, 0), 0);
    assert_int_equal(steady_inspect_troupes(g, NULL, SIZE_MAX), 0);
    assert_int_equal(steady_inspect_channels(g, NULL, 0), 0);
    assert_int_equal(steady_inspect_channels(NULL, NULL, 0), 0);
    assert_int_equal(steady_inspect_channels(g, NULL, 1), 0);
    steady_channel_info huge[1];
    assert_int_equal(steady_inspect_channels(g, huge, SIZE_MAX), 0); /* none to write */

    assert_string_equal(steady_placement_name(STEADY_PLACEMENT_ISOLATED), "isolated");
    assert_string_equal(steady_placement_name((steady_placement)99), "unknown");
    assert_string_equal(steady_actor_phase_name(STEADY_ACTOR_STOPPED_FOR_GOOD), "stopped for good");
    assert_string_equal(steady_actor_phase_name((steady_actor_phase)-1), "unknown");
    steady_graph_free(g);
}

/* A member that runs 400 ms without waiting shows it in running_for_ns while it runs (its
 * troupe-mate is starved meanwhile), and a member woken every millisecond counts its wakes. */
static _Atomic int hog_phase; /* 1 while the hog spins, 2 after */

static int hog(steady_actor *a, void *arg)
{
    (void)arg;
    uint64_t until = steady_clock_monotonic_ns(NULL) + 400000000ull;
    atomic_store(&hog_phase, 1);
    while (steady_clock_monotonic_ns(NULL) < until)
        ;
    atomic_store(&hog_phase, 2);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int ticker(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_periodic(a, 1000000);
    return 0;
}

static void wakes_and_the_current_run_are_counted(void **state)
{
    (void)state;
    atomic_store(&hog_phase, 0);
    steady_graph *g = new_graph("wakes");
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &t), STEADY_OK);
    steady_actor *h, *k, *solo;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "hog", .run = hog, .troupe = t}, &h),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "mate", .run = ticker, .troupe = t}, &k),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "ticker", .run = ticker}, &solo),
        STEADY_OK);
    steady_actor_info ai[3];
    assert_int_equal(steady_inspect_actors(g, ai, 3), 3);
    assert_true(ai[0].wakes == 0 && ai[0].running_for_ns == 0); /* not started */
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    while (atomic_load(&hog_phase) == 0)
        usleep(1000);
    usleep(200000);
    steady_inspect_actors(g, ai, 3);
    if (atomic_load(&hog_phase) == 1) { /* still spinning (a stalled VM may have let it end) */
        assert_true(ai[0].running_for_ns >= 100000000ull);
        /* Busy time includes the run not yet ended: an actor that never waits is busy, not
         * idle (it read 0 until its first switch; examples/docs/inspect_monitor.c saw it). */
        assert_true(ai[0].busy_ns >= ai[0].running_for_ns);
    }
    assert_int_equal(ai[1].running_for_ns, 0); /* the mate waits for the hog */
    while (atomic_load(&hog_phase) == 1)
        usleep(1000);
    usleep(300000);
    steady_inspect_actors(g, ai, 3);
    print_message("wakes: hog %llu, mate %llu, ticker %llu\n", (unsigned long long)ai[0].wakes,
                  (unsigned long long)ai[1].wakes, (unsigned long long)ai[2].wakes);
    assert_true(ai[0].wakes >= 1 && ai[0].wakes <= 5); /* it waits for shutdown: no wake */
    assert_true(ai[2].wakes >= 50);                    /* ~500 periods of 1 ms */
    assert_true(ai[1].wakes >= 50);
    assert_true(ai[0].running_for_ns < 100000000ull);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_running_graph_is_described_as_it_was_built),
        cmocka_unit_test(an_isolated_actor_is_seen_in_its_own_process),
        cmocka_unit_test(failures_read_while_they_happen_are_never_torn),
        cmocka_unit_test(null_zero_and_short_arrays_get_counts_or_einval),
        cmocka_unit_test(wakes_and_the_current_run_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
