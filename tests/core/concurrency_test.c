/* concurrency_test.c — every call documented "any thread", from several threads at once.
 *
 * Run under TSan (make tsan) this is the proof: a data race in any of these calls is a report
 * and a failure. Also the regression for two threads stopping one graph: each used to rebuild
 * the stop report into the same buffer (ASan: heap-buffer-overflow); now the first caller stops
 * the graph and the others get its result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "steady_test_support.h"

#define READERS 4
#define STOPPERS 4
#define MESSAGES 20000u

typedef struct pipeline {
    u64ch_tx tx;
    u64ch_rx rx;
    steady_actor *producer, *consumer;
    steady_channel *ch;
    _Atomic uint64_t sum;
} pipeline;

static int producer_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    for (uint64_t v = 0; v < MESSAGES && STEADY_RUNNING(a, true);)
        if (steady_wait_vacant(a, p->tx, 1) == STEADY_READY && u64ch_tx_try_send(p->tx, v) == 0)
            v++;
    return 0;
}

static int consumer_run(steady_actor *a, void *arg)
{
    pipeline *p = arg;
    uint64_t v, local = 0;
    while (steady_wait_avail(a, p->rx, 1) == STEADY_READY)
        while (u64ch_rx_try_take(p->rx, &v) == STEADY_OK)
            local += v;
    atomic_store(&p->sum, local);
    return 0;
}

static steady_graph *build_pipeline(pipeline *p, const char *name)
{
    steady_graph *g = new_graph(name);
    assert_int_equal(u64ch_new(g, "numbers", 16, &p->tx, &p->rx), STEADY_OK);
    steady_troupe *t;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &t), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer_run,
                                                             .arg = p,
                                                             .txs = STEADY_TXS(p->tx)},
                                        &p->producer),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = consumer_run,
                                                             .arg = p,
                                                             .has_suffix = true,
                                                             .suffix = 7,
                                                             .troupe = t,
                                                             .rxs = STEADY_RXS(p->rx)},
                                        &p->consumer),
                     STEADY_OK);
    p->ch = steady_tx_channel(p->tx.raw);
    return g;
}

/* ---- several threads stop one graph ---- */

typedef struct stopper {
    steady_graph *g;
    int64_t timeout_ms;
    steady_err got;
    char detail[512];
    char report[1024];
    pthread_t th;
} stopper;

static void *stop_thread(void *p)
{
    stopper *s = p;
    s->got = steady_graph_block_until_stopped(s->g, s->timeout_ms);
    snprintf(s->detail, sizeof s->detail, "%s", s->got ? steady_last_error() : "");
    steady_graph_report(s->g, s->report, sizeof s->report);
    return NULL;
}

static void check_stoppers_agree(steady_graph *g, steady_err want, const char *in_report)
{
    stopper s[STOPPERS];
    for (int i = 0; i < STOPPERS; i++) {
        s[i] = (stopper){.g = g, .timeout_ms = 2000};
        assert_int_equal(pthread_create(&s[i].th, NULL, stop_thread, &s[i]), 0);
    }
    steady_graph_request_shutdown(g);
    for (int i = 0; i < STOPPERS; i++)
        pthread_join(s[i].th, NULL);
    for (int i = 0; i < STOPPERS; i++) {
        if (s[i].got != want)
            fail_msg("stopper %d got %s, expected %s: %s", i, steady_strerror(s[i].got),
                     steady_strerror(want), s[i].detail);
        if (strcmp(s[i].report, s[0].report) != 0)
            fail_msg("stoppers 0 and %d saw different reports:\n%s\n--\n%s", i, s[0].report,
                     s[i].report);
        if (!strstr(s[i].report, in_report))
            fail_msg("report lacks \"%s\":\n%s", in_report, s[i].report);
        if (want != STEADY_OK && !strstr(s[i].detail, in_report))
            fail_msg("stopper %d's detail lacks \"%s\": %s", i, in_report, s[i].detail);
    }
    /* Later calls return the same result at once. */
    assert_int_equal(steady_graph_block_until_stopped(g, 0), want);
}

static void several_threads_stopping_one_graph_get_one_result(void **state)
{
    (void)state;
    static pipeline p;
    memset(&p, 0, sizeof p);
    steady_graph *g = build_pipeline(&p, "stoppers");
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    check_stoppers_agree(g, STEADY_OK, "graph 'stoppers' stopped cleanly");
    steady_graph_free(g);
}

static int failing_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    return 5;
}

static void several_threads_stopping_a_degraded_graph_all_hear_it(void **state)
{
    (void)state;
    steady_log_level old = steady_log_get_level();
    steady_log_set_level(STEADY_LOG_OFF);
    steady_graph *g = new_graph_no_restart("degraded");
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "doomed", .run = failing_run}, NULL),
        STEADY_OK);
    assert_int_equal(spawn_with(g, "bystander", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    check_stoppers_agree(g, STEADY_EDEGRADED, "actor 'doomed': stopped for good after 1 failure");
    steady_log_set_level(old);
    steady_graph_free(g);
}

/* ---- every "any thread" call at once ---- */

typedef struct reader {
    steady_graph *g;
    pipeline *p;
    _Atomic int *stop;
    uint64_t checks;
    pthread_t th;
} reader;

static void read_actor(const steady_actor *a, uint64_t *sink)
{
    unsigned suffix = 0;
    *sink += strlen(steady_actor_name(a)) + strlen(steady_actor_label(a));
    *sink += steady_actor_suffix(a, &suffix) + suffix + steady_actor_id(a);
    *sink += steady_actor_regeneration(a) + steady_actor_restarts(a) + steady_actor_failures(a);
    *sink += steady_actor_stopped_for_good(a) + steady_actor_is_member(a);
    *sink += steady_actor_busy_ns(a) + steady_arena_bytes(a);
    *sink += steady_actor_args(a) != NULL;
    *sink += steady_actor_graph(a) != NULL;
}

static void read_channel(const pipeline *p, uint64_t *sink)
{
    *sink += steady_channel_sent_total(p->ch) + steady_channel_taken_total(p->ch);
    *sink += steady_channel_capacity(p->ch) + steady_channel_showstoppers(p->ch) +
             steady_channel_showstoppers_dropped(p->ch);
    *sink += steady_rx_is_closed(p->rx.raw) + steady_tx_is_closed(p->tx.raw);
    *sink += strlen(steady_channel_name(p->ch));
}

static void *reader_thread(void *arg)
{
    reader *r = arg;
    uint64_t sink = 0;
    do { /* at least once, however fast the pipeline ends */
        steady_graph_state s = steady_graph_get_state(r->g);
        sink += strlen(steady_graph_state_name(s)) + steady_graph_futex_wakes(r->g);
        sink += steady_graph_args(r->g) != NULL;
        read_actor(r->p->producer, &sink);
        read_actor(r->p->consumer, &sink);
        read_channel(r->p, &sink);
        steady_graph_poke(r->g);
        steady_log_set_level(steady_log_get_level());
        sink += strlen(steady_strerror(STEADY_EDEGRADED)) + steady_clock_monotonic_ns(NULL) % 2;
        char buf[64];
        sink += steady_graph_report(r->g, buf, sizeof buf); /* 0 until the stop is over */
        r->checks++;
    } while (!atomic_load(r->stop));
    /* Several threads ask for the stop at once. */
    steady_graph_request_shutdown(r->g);
    r->checks += sink == UINT64_MAX; /* keep sink alive */
    return NULL;
}

static void any_thread_calls_race_with_a_running_graph(void **state)
{
    (void)state;
    static pipeline p;
    memset(&p, 0, sizeof p);
    steady_graph *g = build_pipeline(&p, "readers");
    _Atomic int stop = 0;
    reader r[READERS];
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (int i = 0; i < READERS; i++) {
        r[i] = (reader){.g = g, .p = &p, .stop = &stop};
        assert_int_equal(pthread_create(&r[i].th, NULL, reader_thread, &r[i]), 0);
    }
    uint64_t t0 = now_ns();
    while (steady_channel_taken_total(p.ch) < MESSAGES && ms_since(t0) < 10000)
        sleep_ms(1);
    atomic_store(&stop, 1);
    for (int i = 0; i < READERS; i++)
        pthread_join(r[i].th, NULL);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    for (int i = 0; i < READERS; i++)
        assert_true(r[i].checks > 0);
    assert_int_equal(atomic_load(&p.sum), (uint64_t)MESSAGES * (MESSAGES - 1) / 2);
    /* After the stop: the last failure reads from any thread. */
    assert_string_equal(steady_actor_last_failure(p.producer), "");
    steady_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(several_threads_stopping_one_graph_get_one_result),
        cmocka_unit_test(several_threads_stopping_a_degraded_graph_all_hear_it),
        cmocka_unit_test(any_thread_calls_race_with_a_running_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
