/*
 * idle_test.c: what waiting costs. Idle actors park (~0% CPU), and a producer/consumer pair
 * that never waits makes no futex wake-up at all (steady_graph_futex_wakes stays 0).
 *
 * CPU time is read per thread from /proc/self/task/<tid>/schedstat (nanoseconds on the CPU;
 * falls back to utime+stime ticks from .../stat), summed over the threads whose name starts
 * with "idle-": our solo actors and troupes. That leaves out main and any sanitizer
 * background thread. Registered SERIAL: another test spinning on the two cores would not
 * change the figure, but would delay the wake-ups the other tests measure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* ---- per-thread CPU time -------------------------------------------------------------------- */

static bool read_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    return ok;
}

/* CPU nanoseconds of one thread of this process. */
static uint64_t thread_cpu_ns(const char *tid)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", tid);
    if (read_line(path, buf, sizeof buf))
        return strtoull(buf, NULL, 10);
    snprintf(path, sizeof path, "/proc/self/task/%s/stat", tid);
    if (!read_line(path, buf, sizeof buf))
        return 0;
    const char *p = strrchr(buf, ')'); /* the name may hold spaces: fields follow the ')' */
    unsigned long long utime = 0, stime = 0;
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return 0;
    return (utime + stime) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* Sums the CPU time of the threads named "<prefix>..."; *threads gets how many matched. */
static uint64_t named_threads_cpu_ns(const char *prefix, unsigned *threads)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    uint64_t sum = 0;
    *threads = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], comm[64];
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        if (!read_line(path, comm, sizeof comm) || strncmp(comm, prefix, strlen(prefix)) != 0)
            continue;
        sum += thread_cpu_ns(e->d_name);
        (*threads)++;
    }
    closedir(d);
    return sum;
}

/* ---- an idle graph -------------------------------------------------------------------------- */

enum { SOLO = 50, TROUPES = 2, MEMBERS = 25, ACTORS = SOLO + TROUPES * MEMBERS };

struct idle_io {
    u64ch_rx in;     /* nobody ever sends on it */
    u64ch_tx out;    /* never used */
    bool on_channel; /* else: waits for shutdown */
};

static int idle_run(steady_actor *a, void *arg)
{
    struct idle_io *io = arg;
    while (STEADY_RUNNING(a, true)) {
        if (io->on_channel)
            steady_wait_avail(a, io->in, 1);
        else
            steady_wait_shutdown(a);
    }
    return 0;
}

static void idle_actors_cost_less_than_one_percent_of_a_core(void **state)
{
    (void)state;
    static struct idle_io io[ACTORS];
    steady_graph *g = new_graph("idle");
    /* A ring of channels: actor i takes from channel i and owns the sending end of i + 1. */
    u64ch_tx tx[ACTORS];
    u64ch_rx rx[ACTORS];
    for (int i = 0; i < ACTORS; i++) {
        char name[32];
        snprintf(name, sizeof name, "quiet-%d", i);
        assert_int_equal(u64ch_new(g, name, 16, &tx[i], &rx[i]), STEADY_OK);
    }
    steady_troupe *troupe[TROUPES];
    for (int k = 0; k < TROUPES; k++) {
        char name[32];
        snprintf(name, sizeof name, "idle-troupe-%d", k);
        assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = name}, &troupe[k]),
                         STEADY_OK);
    }
    for (int i = 0; i < ACTORS; i++) {
        io[i] = (struct idle_io){rx[i], tx[(i + 1) % ACTORS], i % 2 == 0};
        steady_troupe *t = i < SOLO ? NULL : troupe[(i - SOLO) / MEMBERS];
        steady_actor_opts o = {.name = t ? "idle-member" : "idle-solo",
                               .has_suffix = true,
                               .suffix = (unsigned)i,
                               .run = idle_run,
                               .arg = &io[i],
                               .troupe = t,
                               .txs = STEADY_TXS(io[i].out),
                               .rxs = STEADY_RXS(io[i].in),
                               .stack_size = 64 * 1024};
        assert_int_equal(steady_actor_spawn(g, &o, NULL), STEADY_OK);
    }
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(300); /* settle: every actor reaches its wait and parks */
    unsigned threads0, threads1;
    uint64_t cpu0 = named_threads_cpu_ns("idle-", &threads0);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    sleep_ms(2000);
    uint64_t cpu1 = named_threads_cpu_ns("idle-", &threads1);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    uint64_t wakes = steady_graph_futex_wakes(g);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);

    double wall_ns = (double)(w1.tv_sec - w0.tv_sec) * 1e9 + (double)(w1.tv_nsec - w0.tv_nsec);
    double share = (double)(cpu1 - cpu0) / wall_ns;
    print_message("idle: %u threads, %.3f ms CPU in %.0f ms = %.4f%% of one core, %llu futex "
                  "wakes\n",
                  threads1, (double)(cpu1 - cpu0) / 1e6, wall_ns / 1e6, share * 100.0,
                  (unsigned long long)wakes);
    assert_int_equal(threads0, SOLO + TROUPES);
    assert_int_equal(threads1, SOLO + TROUPES);
    assert_true(share < 0.01);
}

/* ---- futex wake-ups: none unless someone parks ---------------------------------------------- */

enum { MESSAGES = 1000000 };

struct stream {
    u64ch_tx tx;
    u64ch_rx rx;
    uint64_t received, out_of_order;
    unsigned pace_ms;     /* 0: send as fast as possible */
    _Atomic int finished; /* the consumer is done */
};

static void spin_a_little(unsigned *spins)
{
    if (++*spins % 1024 == 0)
        sched_yield(); /* a spin, not a wait: keeps two spinners fair on two cores */
}

static int spinning_producer(steady_actor *a, void *arg)
{
    (void)a;
    struct stream *s = arg;
    unsigned spins = 0;
    for (uint64_t i = 0; i < MESSAGES; i++)
        while (u64ch_tx_try_send(s->tx, i) == STEADY_EFULL) /* never waits */
            spin_a_little(&spins);
    return 0;
}

static int spinning_consumer(steady_actor *a, void *arg)
{
    (void)a;
    struct stream *s = arg;
    unsigned spins = 0;
    while (s->received < MESSAGES) {
        uint64_t v;
        if (u64ch_rx_try_take(s->rx, &v) != STEADY_OK) { /* never waits */
            spin_a_little(&spins);
            continue;
        }
        s->out_of_order += v != s->received;
        s->received++;
    }
    atomic_store(&s->finished, 1);
    return 0;
}

static int paced_producer(steady_actor *a, void *arg)
{
    struct stream *s = arg;
    for (uint64_t i = 0; i < 200; i++) {
        steady_wait_timeout(a, STEADY_MS(s->pace_ms)); /* a timer expiring is not a wake-up */
        while (u64ch_tx_try_send(s->tx, i) != STEADY_OK)
            steady_wait_vacant(a, s->tx, 1);
    }
    return 0;
}

static int parking_consumer(steady_actor *a, void *arg)
{
    struct stream *s = arg;
    while (steady_wait_avail(a, s->rx, 1) == STEADY_READY) {
        uint64_t v;
        while (u64ch_rx_try_take(s->rx, &v) == STEADY_OK) {
            s->out_of_order += v != s->received;
            s->received++;
        }
    }
    atomic_store(&s->finished, 1);
    return 0;
}

static uint64_t run_stream(struct stream *s, steady_actor_fn producer, steady_actor_fn consumer,
                           uint64_t *wakes_while_running)
{
    steady_graph *g = new_graph("stream");
    assert_int_equal(u64ch_new(g, "numbers", 1024, &s->tx, &s->rx), STEADY_OK);
    steady_actor_opts p = {.name = "producer", .run = producer, .arg = s, .txs = STEADY_TXS(s->tx)};
    steady_actor_opts c = {.name = "consumer", .run = consumer, .arg = s, .rxs = STEADY_RXS(s->rx)};
    assert_int_equal(steady_actor_spawn(g, &p, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &c, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    *wakes_while_running = 0;
    while (!atomic_load(&s->finished) && *wakes_while_running == 0) {
        *wakes_while_running = steady_graph_futex_wakes(g); /* any thread may read it */
        sleep_ms(1);
    }
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    uint64_t wakes = steady_graph_futex_wakes(g);
    steady_graph_free(g);
    return wakes;
}

static void producer_and_consumer_that_never_park_make_no_futex_wakes(void **state)
{
    (void)state;
    struct stream s = {0};
    uint64_t during;
    uint64_t wakes = run_stream(&s, spinning_producer, spinning_consumer, &during);
    assert_int_equal(s.received, MESSAGES);
    assert_int_equal(s.out_of_order, 0);
    assert_int_equal(wakes, 0);
}

static void consumer_parked_in_wait_avail_is_woken_through_the_futex(void **state)
{
    (void)state;
    struct stream s = {.pace_ms = 1};
    uint64_t during;
    uint64_t wakes = run_stream(&s, paced_producer, parking_consumer, &during);
    print_message("parking consumer: %llu futex wakes for 200 messages (first seen while "
                  "running: %llu)\n",
                  (unsigned long long)wakes, (unsigned long long)during);
    assert_int_equal(s.received, 200);
    assert_int_equal(s.out_of_order, 0);
    assert_true(during > 0); /* seen while the graph ran */
    assert_true(wakes >= during);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(idle_actors_cost_less_than_one_percent_of_a_core),
        cmocka_unit_test(producer_and_consumer_that_never_park_make_no_futex_wakes),
        cmocka_unit_test(consumer_parked_in_wait_avail_is_woken_through_the_futex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
